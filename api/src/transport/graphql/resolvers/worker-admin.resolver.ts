import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requireAdmin } from '../../../auth/guards';
import type { GraphQLContext } from '../context';
import { actorOf } from '../audit-actor';

@Resolver()
export class WorkerAdminResolver {
  @Mutation(() => Boolean, { description: 'admin: deletes an OFFLINE worker from the list (CONFLICT if it is not offline)' })
  async removeWorker(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.app.services.workerAdmin.removeOffline(actorOf(ctx, requireAdmin(ctx)), id);
    return true;
  }
}
