import { WorkerError } from '../errors';
import type { AppendResult, LogChunkOut } from '../output/log-streamer';
import type { JobApi, JobResult } from '../runner/job-runner';
import {
  APPEND_LOGS,
  COMPLETE_JOB,
  HEARTBEAT,
  REGISTER_WORKER,
  START_JOB,
  type HeartbeatResult,
  type JobAttempt,
  type RegisteredWorker,
  type RegisterWorkerInput,
} from './operations';
import type { WorkerClient } from './worker-client';

/** The worker-side mutations, typed. `ready()` gates job-scoped calls until (re)registration is done. */
export class WorkerApi implements JobApi {
  constructor(
    private readonly client: WorkerClient,
    private readonly ready: () => boolean,
  ) {}

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
    await this.client.request(START_JOB, { jobId, attempt });
  }

  async appendLogs(jobId: string, attempt: number, chunks: LogChunkOut[]): Promise<AppendResult> {
    this.gate();
    const data = await this.client.request(APPEND_LOGS, { jobId, attempt, chunks });
    return data.appendLogs;
  }

  async completeJob(jobId: string, attempt: number, result: JobResult): Promise<void> {
    this.gate();
    await this.client.request(COMPLETE_JOB, { jobId, attempt, result });
  }

  private gate(): void {
    if (!this.ready()) throw notReady();
  }
}

function notReady(): WorkerError {
  return new WorkerError('NOT_CONNECTED', 'not registered with the server (reconnecting)');
}
