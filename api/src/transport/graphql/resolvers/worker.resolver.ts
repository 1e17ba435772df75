import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireUser } from '../../../auth/guards';
import { WorkerStatus } from '../../../domain/enums';
import { reviveWorker } from '../../../services/job-events';
import { Worker } from '../../../storage/models';
import { Topics } from '../../../storage/pubsub';
import type { GraphQLContext } from '../context';

@Resolver(() => Worker)
export class WorkerResolver {
  @Query(() => [Worker])
  async workers(
    @Arg('status', () => [WorkerStatus], { nullable: true }) status: WorkerStatus[] | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Worker[]> {
    requireUser(ctx);
    return ctx.app.services.workers.list(status);
  }

  @Subscription(() => Worker, {
    subscribe: async ({ context }) => {
      const ctx = context as GraphQLContext;
      requireUser(ctx);
      const source = ctx.app.pubsub.asyncIterator(Topics.WORKER_UPDATED);
      await source.ready;
      return source;
    },
  })
  workerUpdated(@Root() payload: unknown): Worker {
    return reviveWorker(payload);
  }

  @FieldResolver(() => Int, { description: 'lease settings the worker must honour (returned by registerWorker)' })
  leaseSeconds(@Ctx() ctx: GraphQLContext): number {
    return ctx.app.config.jobs.leaseSeconds;
  }

  @FieldResolver(() => String, { nullable: true, description: 'name of the worker token it connected with' })
  async tokenName(@Root() worker: { tokenId?: unknown }, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    return ctx.app.services.workers.tokenName(worker.tokenId);
  }

  @FieldResolver(() => Int)
  heartbeatIntervalSeconds(@Ctx() ctx: GraphQLContext): number {
    return ctx.app.config.jobs.heartbeatSeconds;
  }
}
