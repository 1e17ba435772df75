import { WorkerError } from '../errors';
import type { AppendResult, LogChunkOut } from '../output/log-streamer';
import { appendLogsBatchesJson, type AttemptLogs } from './append-logs-json';
import type { JobApi, JobResult } from '../runner/job-runner';
import {
  APPEND_LOGS_BATCH,
  COMPLETE_JOBS,
  HEARTBEAT,
  REGISTER_WORKER,
  START_JOBS,
  type AppendLogsReport,
  type AttemptReport,
  type HeartbeatResult,
  type JobAttempt,
  type RegisteredWorker,
  type RegisterWorkerInput,
} from './operations';
import type { AttemptLogsInput } from '../gql/graphql';
import { ReportBatcher } from './report-batcher';
import type { WorkerClient } from './worker-client';

/**
 * The worker-side mutations, typed. `ready()` gates job-scoped calls until (re)registration is
 * done. Starts, completions and log batches made in the same turn of the event loop travel
 * together (startJobs / completeJobs / appendLogsBatch); each caller still gets its own
 * attempt's answer, a refusal as the CONFLICT the single mutation would have raised.
 */
export class WorkerApi implements JobApi {
  private readonly starts: ReportBatcher<JobAttempt, AttemptReport>;
  private readonly completions: ReportBatcher<JobAttempt & { result: JobResult }, AttemptReport>;
  private readonly appends: ReportBatcher<AttemptLogs, AppendLogsReport>;

  constructor(
    private readonly client: WorkerClient,
    private readonly ready: () => boolean,
  ) {
    this.starts = new ReportBatcher(async (attempts) => (await this.client.request(START_JOBS, { attempts })).startJobs);
    this.completions = new ReportBatcher(async (completions) => (await this.client.request(COMPLETE_JOBS, { completions })).completeJobs);
    // Several jobs' output of one moment in one call, no larger than one attempt's own call may
    // be (log-streamer.ts: 2 MiB of text, 1024 chunks): the server takes each alone. The chunks'
    // JSON is made from their bytes as the message is sent (append-logs-json.ts), hence the cast.
    this.appends = new ReportBatcher(async (batches) => {
      const variables = { batches: appendLogsBatchesJson(batches) as unknown as AttemptLogsInput[] };
      return (await this.client.request(APPEND_LOGS_BATCH, variables)).appendLogsBatch;
    }, {
      weigh: (b) => Math.max(b.chunks.reduce((n, c) => n + c.data.length, 0) / APPEND_GROUP.bytes, b.chunks.length / APPEND_GROUP.chunks),
      weight: 1,
    });
  }

  async registerWorker(input: RegisterWorkerInput): Promise<RegisteredWorker> {
    const data = await this.client.request(REGISTER_WORKER, { input });
    return data.registerWorker;
  }

  async heartbeat(runningJobs: JobAttempt[]): Promise<HeartbeatResult> {
    const data = await this.client.request(HEARTBEAT, { runningJobs });
    return data.heartbeat;
  }

  async startJob(jobId: string, attempt: number): Promise<void> {
    this.gate();
    accepted(await this.starts.add({ jobId, attempt }));
  }

  async appendLogs(jobId: string, attempt: number, chunks: LogChunkOut[]): Promise<AppendResult> {
    this.gate();
    const report = await this.appends.add({ jobId, attempt, chunks });
    accepted(report);
    return { ackedSeq: report.ackedSeq ?? 0, truncated: report.truncated ?? false };
  }

  async completeJob(jobId: string, attempt: number, result: JobResult): Promise<void> {
    this.gate();
    accepted(await this.completions.add({ jobId, attempt, result }));
  }

  private gate(): void {
    if (!this.ready()) throw notReady();
  }
}

/** One appendLogsBatch call at most: what one attempt's own call may carry. */
const APPEND_GROUP = { bytes: 2 * 1024 * 1024, chunks: 1024 };

/** A refused item of a batch, as the error its single mutation would have raised. */
function accepted(report: Pick<AttemptReport, 'accepted' | 'code' | 'message'>): void {
  if (report.accepted) return;
  const code = report.code ?? 'CONFLICT';
  const message = report.message ?? 'refused';
  if (code === 'CONFLICT') throw new WorkerError('CONFLICT', message, { serverCode: code });
  throw new WorkerError('SERVER', message, { serverCode: code });
}

function notReady(): WorkerError {
  return new WorkerError('NOT_CONNECTED', 'not registered with the server (reconnecting)');
}
