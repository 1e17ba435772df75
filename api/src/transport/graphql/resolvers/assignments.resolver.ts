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
}
