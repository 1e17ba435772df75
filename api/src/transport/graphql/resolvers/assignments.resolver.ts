import { Ctx, Resolver, Root, Subscription } from 'type-graphql';
import { requireWorker } from '../../../auth/guards';
import type { AssignmentEvent } from '../../../services/dispatch.service';
import type { GraphQLContext } from '../context';
import { Assignment } from '../types/worker-channel.type';

@Resolver(() => Assignment)
export class AssignmentsResolver {
  @Subscription(() => Assignment, {
    description: 'worker only',
    subscribe: async ({ context }) => {
      const ctx = context as GraphQLContext;
      return ctx.app.services.workerChannel.assignments(requireWorker(ctx), ctx.connection?.workerSession);
    },
  })
  assignments(@Root() event: AssignmentEvent, @Ctx() _ctx: GraphQLContext): Assignment {
    return event as Assignment;
  }

  @Subscription(() => [Assignment], {
    description: 'worker only: the assignments stream with every job handed over together in one event (as many as the worker had free slots); CANCEL alone',
    subscribe: async ({ context }) => {
      const ctx = context as GraphQLContext;
      return ctx.app.services.workerChannel.assignmentBatches(requireWorker(ctx), ctx.connection?.workerSession);
    },
  })
  assignmentBatch(@Root() events: AssignmentEvent[], @Ctx() _ctx: GraphQLContext): Assignment[] {
    return events as Assignment[];
  }
}
