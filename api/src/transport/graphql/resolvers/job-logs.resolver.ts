import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import { requireUser } from '../../../auth/guards';
import { BadUserInputError } from '../../../errors';
import type { JobDoc } from '../../../storage/repositories/documents';
import type { LogBatchView, LogChunkView } from '../../../services/job-log.service';
import { Job, LogChunk } from '../../../storage/models';
import type { GraphQLContext } from '../context';
import { LogBatch } from '../types/log-batch.type';

const LOGS_PAGE = { default: 1000, max: 5000 } as const;

/** Job output: the `Job.logs` page and the live `jobLogs` stream. */
@Resolver(() => Job)
export class JobLogsResolver {
  /** Whoever could read the job may read its logs (the parent field checked that). */
  @FieldResolver(() => [LogChunk], { description: 'chunks of one attempt (default: the current one), ordered by seq' })
  async logs(
    // Typed as the document alias, not the class: with a class type, type-graphql copies the root
    // into `new Job()`, which loses a mongoose document's getters (every field reads undefined).
    @Root() job: JobDoc,
    @Arg('attempt', () => Int, { nullable: true }) attempt: number | undefined,
    @Arg('afterSeq', () => Int, { nullable: true }) afterSeq: number | undefined,
    @Arg('limit', () => Int, { nullable: true, description: 'default 1000, at most 5000' }) limit: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LogChunkView[]> {
    const n = limit ?? LOGS_PAGE.default;
    if (!Number.isInteger(n) || n < 1 || n > LOGS_PAGE.max) throw new BadUserInputError('limit', `must be from 1 to ${LOGS_PAGE.max}`);
    return ctx.app.services.jobLogs.list(job.id, attempt ?? job.attempt, afterSeq ?? 0, n);
  }

  @Subscription(() => LogBatch, {
    description:
      'stored chunks of the attempt (default: current) after afterSeq, then live, including later attempts; no gap, no duplicate. Each event carries every chunk available when it was sent.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const user = requireUser(ctx);
      // NOT_FOUND unless the caller owns the job or is an admin.
      const job = await ctx.app.services.jobs.get(user, String(args.jobId));
      const attempt = (args.attempt as number | null | undefined) ?? job.attempt;
      return ctx.app.services.jobLogs.stream(job.id, attempt, (args.afterSeq as number | null | undefined) ?? 0);
    },
  })
  jobLogs(
    @Root() batch: LogBatchView,
    @Arg('jobId', () => ID) _jobId: string,
    @Arg('attempt', () => Int, { nullable: true }) _attempt: number | undefined,
    @Arg('afterSeq', () => Int, { nullable: true }) _afterSeq: number | undefined,
  ): LogBatch {
    return batch as unknown as LogBatch;
  }
}
