import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../auth/guards';
import { Role } from '../../../domain/enums';
import { User } from '../../../storage/models';
import type { GraphQLContext } from '../context';
import { actorOf } from '../audit-actor';

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
    return ctx.app.services.users.create(actorOf(ctx, admin), { username, password, role: role ?? undefined });
  }

  @Mutation(() => User, { description: 'admin: takes effect at once, open sessions included' })
  async setUserRole(@Arg('id', () => ID) id: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.setRole(actorOf(ctx, admin), id, role);
  }

  @Mutation(() => User, { description: 'admin: the user can no longer sign in; its sessions end at once' })
  async disableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.disable(actorOf(ctx, admin), id);
  }

  @Mutation(() => User, { description: 'admin' })
  async enableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.enable(actorOf(ctx, admin), id);
  }

  @Mutation(() => User, { description: 'admin: ends every session of the user (it signs in again)' })
  async revokeSessions(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.users.revokeSessions(actorOf(ctx, admin), userId);
  }
}
