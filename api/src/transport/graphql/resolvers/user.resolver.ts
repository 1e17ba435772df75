import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
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

  @Mutation(() => User, { description: 'admin: takes effect at once, open sessions included' })
  async setUserRole(@Arg('id', () => ID) id: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.setRole(admin.userId, id, role);
  }

  @Mutation(() => User, { description: 'admin: the user can no longer sign in; its sessions end at once' })
  async disableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.disable(admin.userId, id);
  }

  @Mutation(() => User, { description: 'admin' })
  async enableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.enable(admin.userId, id);
  }

  @Mutation(() => User, { description: 'admin: ends every session of the user (it signs in again)' })
  async revokeSessions(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.revokeSessions(admin.userId, userId);
  }
}
