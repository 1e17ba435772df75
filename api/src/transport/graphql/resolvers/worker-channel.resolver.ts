import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import { requireAdmin, requireWorker } from '../../../auth/guards';
import { Job, Worker } from '../../../storage/models';
import type { GraphQLContext } from '../context';
import { actorOf } from '../audit-actor';
import {
  AppendLogsReport,
  AppendLogsResult,
  AttemptLogsInput,
  AttemptReport,
  JobCompletionInput,
  HeartbeatResult,
  JobAttemptInput,
  JobResultInput,
  LogChunkInput,
  RegisterWorkerInput,
} from '../types/worker-channel.type';

/** The worker agent's calls (worker token only) and the admin's drain. Logic is in WorkerChannelService. */
@Resolver()
export class WorkerChannelResolver {
  @Mutation(() => Worker)
  async registerWorker(@Arg('input', () => RegisterWorkerInput) input: RegisterWorkerInput, @Ctx() ctx: GraphQLContext): Promise<Worker> {
    return ctx.app.services.workerChannel.register(requireWorker(ctx), input, ctx.connection?.workerSession);
  }

  @Mutation(() => HeartbeatResult)
  async heartbeat(@Arg('runningJobs', () => [JobAttemptInput]) runningJobs: JobAttemptInput[], @Ctx() ctx: GraphQLContext): Promise<HeartbeatResult> {
    return ctx.app.services.workerChannel.heartbeat(requireWorker(ctx), runningJobs, ctx.connection?.workerSession);
  }

  @Mutation(() => Job)
  async startJob(@Arg('jobId', () => ID) jobId: string, @Arg('attempt', () => Int) attempt: number, @Ctx() ctx: GraphQLContext): Promise<Job> {
    return ctx.app.services.workerChannel.startJob(requireWorker(ctx), { jobId, attempt }, ctx.connection?.workerSession);
  }

  @Mutation(() => [AttemptReport], { description: 'startJob for several attempts in one call; each is accepted or refused alone, answers in the order asked' })
  async startJobs(@Arg('attempts', () => [JobAttemptInput]) attempts: JobAttemptInput[], @Ctx() ctx: GraphQLContext): Promise<AttemptReport[]> {
    return ctx.app.services.workerChannel.startJobs(requireWorker(ctx), attempts, ctx.connection?.workerSession) as Promise<AttemptReport[]>;
  }

  @Mutation(() => AppendLogsResult, { description: 'idempotent by seq' })
  async appendLogs(
    @Arg('jobId', () => ID) jobId: string,
    @Arg('attempt', () => Int) attempt: number,
    @Arg('chunks', () => [LogChunkInput]) chunks: LogChunkInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<AppendLogsResult> {
    return ctx.app.services.workerChannel.appendLogs(requireWorker(ctx), { jobId, attempt }, chunks, ctx.connection?.workerSession);
  }

  @Mutation(() => [AppendLogsReport], {
    description: 'appendLogs for several attempts in one call (idempotent by seq); each is accepted or refused alone, answers in the order asked',
  })
  async appendLogsBatch(@Arg('batches', () => [AttemptLogsInput]) batches: AttemptLogsInput[], @Ctx() ctx: GraphQLContext): Promise<AppendLogsReport[]> {
    return ctx.app.services.workerChannel.appendLogsBatch(requireWorker(ctx), batches, ctx.connection?.workerSession);
  }

  @Mutation(() => Job)
  async completeJob(
    @Arg('jobId', () => ID) jobId: string,
    @Arg('attempt', () => Int) attempt: number,
    @Arg('result', () => JobResultInput) result: JobResultInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Job> {
    return ctx.app.services.workerChannel.completeJob(requireWorker(ctx), { jobId, attempt }, result, ctx.connection?.workerSession);
  }

  @Mutation(() => [AttemptReport], { description: 'completeJob for several attempts in one call; each is accepted or refused alone, answers in the order asked' })
  async completeJobs(@Arg('completions', () => [JobCompletionInput]) completions: JobCompletionInput[], @Ctx() ctx: GraphQLContext): Promise<AttemptReport[]> {
    return ctx.app.services.workerChannel.completeJobs(requireWorker(ctx), completions, ctx.connection?.workerSession) as Promise<AttemptReport[]>;
  }

  @Mutation(() => Worker, { description: 'admin: no new assignments; running jobs finish' })
  async drainWorker(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Worker> {
    const admin = requireAdmin(ctx);
    return ctx.app.services.workerChannel.drain(actorOf(ctx, admin), id);
  }
}
