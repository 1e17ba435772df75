import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../auth/guards';
import { Role } from '../../../domain/enums';
import { User } from '../../../storage/models';
import type { GraphQLContext } from '../context';

@Resolver(() => User)
export class UserResolver {
  @Query(() => [User], { description: 'admin' })
  async users(@Ctx() ctx: GraphQLContext): Promise<User[]> {
    requireAdmin(ctx);
    return ctx.app.services.users.list();
  }

  @Mutation(() => User, { description: 'admin' })
  async createUser(
    @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string,
    @Arg('role', () => Role, { nullable: true }) role: Role | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.create(admin.userId, { username, password, role: role ?? undefined });
  }
}
