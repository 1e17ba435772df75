import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { AppContainer } from '../../../app-container';
import { JobStatus, WorkerStatus } from '../../../domain/enums';
import { waitingReason, type OnlineWorker } from '../../../domain/waiting-reason.rules';
import { Job } from '../../../storage/models';
import type { GraphQLContext } from '../context';

/** A list of jobs (and every live update) asks once per second at most, per API instance. */
const ONLINE_TTL_MS = 1000;
const online = new WeakMap<AppContainer, { at: number; workers: Promise<OnlineWorker[]> }>();

function onlineWorkers(app: AppContainer): Promise<OnlineWorker[]> {
  const cached = online.get(app);
  if (cached && Date.now() - cached.at < ONLINE_TTL_MS) return cached.workers;
  const workers = app.services.workers.list([WorkerStatus.ONLINE]).then((ws) => ws.map((w) => ({ labels: w.labels, sandboxes: w.sandboxes })));
  online.set(app, { at: Date.now(), workers });
  workers.catch(() => online.delete(app));
  return workers;
}

@Resolver(() => Job)
export class JobWaitingResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'QUEUED only: why no online worker can take the job (e.g. "no online worker has labels gpu, cuda"); null when one can',
  })
  // `object`, not `Job`: type-graphql would copy a mongoose document into a new Job and lose its getters.
  async waitingReason(@Root() root: object, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    const job = root as Pick<Job, 'status' | 'requirements' | 'sandbox'>;
    if (job.status !== JobStatus.QUEUED) return null;
    return waitingReason({ requirements: job.requirements ?? [], sandbox: job.sandbox }, await onlineWorkers(ctx.app));
  }
}
