import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireUser } from '../../../auth/guards';
import { JobStatus } from '../../../domain/enums';
import { reviveJob, toJobPayload, type JobPayload } from '../../../services/job-events';
import type { JobDoc } from '../../../storage/repositories/documents';
import { Job, User, Worker } from '../../../storage/models';
import { readyWithin, Topics } from '../../../storage/pubsub';
import type { GraphQLContext } from '../context';
import { filterLive } from '../live-filter';
import { jobChangesStream } from '../job-changes-stream';
import { jobStateStream } from '../job-state-stream';
import { loaders } from '../loaders';
import { streamResume } from '../stream-resume';
import { CreateJobInput } from '../types/job-input.type';
import { JobConnection } from '../types/job-connection.type';

@Resolver(() => Job)
export class JobResolver {
  @Query(() => Job, { nullable: true, description: "NOT_FOUND for a missing job and for another user's job" })
  async job(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Job> {
    return ctx.app.services.jobs.get(requireUser(ctx), id);
  }

  @Query(() => JobConnection, {
    description: 'newest first, cursor pagination; users see their own, admins all',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Math.min(Number(args.first ?? 20), 100),
  })
  async jobs(
    @Arg('status', () => [JobStatus], { nullable: true }) status: JobStatus[] | undefined,
    @Arg('first', () => Int, { nullable: true, description: 'default 20, at most 100' }) first: number | undefined,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<JobConnection> {
    return ctx.app.services.jobs.list(requireUser(ctx), { status, first, after });
  }

  @Mutation(() => Job)
  async createJob(@Arg('input', () => CreateJobInput) input: CreateJobInput, @Ctx() ctx: GraphQLContext): Promise<Job> {
    return ctx.app.services.jobs.create(requireUser(ctx), input);
  }

  @Mutation(() => Job, { description: 'QUEUED: CANCELED at once; ASSIGNED/RUNNING: cancelRequestedAt set, the worker stops it' })
  async cancelJob(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Job> {
    return ctx.app.services.jobs.cancel(requireUser(ctx), id, ctx.clientAddress);
  }

  @Mutation(() => Job, { description: 'a finished job queued again as its next attempt' })
  async retryJob(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Job> {
    return ctx.app.services.jobs.retry(requireUser(ctx), id, ctx.clientAddress);
  }

  @Subscription(() => Job, {
    description: 'one job (its current state first, then every change), or every job the caller may see',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const user = requireUser(ctx);
      const jobs = ctx.app.services.jobs;
      const pubsub = ctx.app.pubsub;
      const id = args.id as string | undefined | null;
      if (id) await jobs.get(user, id); // NOT_FOUND unless the caller may see it
      const topic = id ? Topics.jobUpdated(id) : Topics.JOB_UPDATED;
      const source = pubsub.asyncIterator<JobPayload>(topic);
      const startedAt = new Date();
      // Redis down: do not wait for it; the stream reads the store again when it is back.
      const liveInTime = await readyWithin(source, 500);
      const live = filterLive(source, (payload) => jobs.canSee(user, payload));
      const onResume = streamResume(pubsub, topic, { source, liveInTime, startedAt });
      if (!id) {
        // Every job: what changed in the store while live delivery was away, each state once.
        const readChanged = async (since: Date, limit: number, after?: { updatedAt: Date; id: string }): Promise<JobPayload[]> =>
          (await jobs.changedSince(user, since, limit, after)).map(toJobPayload);
        return jobChangesStream({ live, onResume, readChanged, startedAt });
      }
      // One job: its current state first, read once the live source is ready, so nothing that
      // happens between a client's query and this subscription is missed.
      // Should live delivery miss changes (Redis away), the stored state is read again.
      try {
        const current = await jobs.get(user, id);
        const readStored = async (): Promise<JobPayload> => toJobPayload(await jobs.get(user, id));
        return jobStateStream(toJobPayload(current), live, onResume, readStored);
      } catch (err) {
        await live.return?.();
        throw err;
      }
    },
  })
  jobUpdated(@Root() payload: JobPayload, @Arg('id', () => ID, { nullable: true }) _id: string | undefined): Job {
    return reviveJob(payload);
  }

  // Roots are typed as the document alias, not the class: with a class type, type-graphql copies
  // the root into a fresh instance, losing a mongoose document's getters.
  @FieldResolver(() => User, { nullable: true, description: 'null when the creator no longer exists (the job is still listed)' })
  async createdBy(@Root() job: JobDoc, @Ctx() ctx: GraphQLContext): Promise<User | null> {
    return (await loaders(ctx).users.load(String(job.createdById))) ?? null;
  }

  @FieldResolver(() => Worker, { nullable: true })
  async worker(@Root() job: JobDoc, @Ctx() ctx: GraphQLContext): Promise<Worker | null> {
    return job.workerId ? loaders(ctx).workers.load(String(job.workerId)) : null;
  }
}
