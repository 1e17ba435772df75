import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { AUTH_COOKIE } from '../../../auth/credentials';
import { requireUser } from '../../../auth/guards';
import { User } from '../../../storage/models';
import type { CookieOptions, GraphQLContext } from '../context';
import { AuthPayload } from '../types/auth-payload.type';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'returns { token, user }; also sets the httpOnly auth_token cookie' })
  async login(
    @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    const { token, user } = await ctx.app.services.auth.login(username, password, ctx.clientAddress);
    ctx.http?.setCookie(AUTH_COOKIE, token, { ...cookieOptions(ctx), maxAge: ctx.app.services.auth.jwtTtlSeconds });
    return { token, user };
  }

  @Mutation(() => Boolean, { description: 'clears the auth_token cookie (a JWT stays valid until it expires)' })
  logout(@Ctx() ctx: GraphQLContext): boolean {
    ctx.http?.clearCookie(AUTH_COOKIE, cookieOptions(ctx));
    return true;
  }

  @Query(() => User, { nullable: true, description: 'null when not logged in' })
  async me(@Ctx() ctx: GraphQLContext): Promise<User | null> {
    // A refused token is an error (the client must know to log in again); no token is just "nobody".
    if (ctx.principal.kind === 'anonymous' && !ctx.principal.authError) return null;
    const user = requireUser(ctx);
    return ctx.app.services.users.findById(user.userId);
  }
}

function cookieOptions(ctx: GraphQLContext): CookieOptions {
  const { cookieSameSite: sameSite, enforceTls } = ctx.app.config.http;
  // SameSite=None (a web UI on another site) is only accepted by browsers with Secure, i.e. over TLS.
  return { httpOnly: true, sameSite, secure: enforceTls || sameSite === 'none', path: '/' };
}
