import { CliError, TransientError } from '../errors';
import type { ApiClient } from '../api/api-client';
import { LiveConnection } from '../api/live-connection';
import { JobLogsDocument, JobLogsPageDocument, JobUpdatedDocument } from '../api/operations';
import type { CliJobFieldsFragment, LogStream } from '../gql/graphql';
import type { RetryBudget } from '../util/retry-budget';
import { TERMINAL_STATUSES } from './exit-status';
import { LogPosition } from './log-position';

export interface LogChunk {
  attempt: number;
  seq: number;
  stream: LogStream;
  data: string;
}

export interface FollowSink {
  /** each new chunk exactly once, in (attempt, seq) order */
  log(chunk: LogChunk): void;
  /** the job's state when the stream (re)starts, then every change */
  job(job: CliJobFieldsFragment): void;
  /** the live connection dropped and is being re-established */
  reconnecting?(reason: string): void;
}

export interface FollowOptions {
  api: ApiClient;
  budget: RetryBudget;
  jobId: string;
  /** start with this attempt's output (default 1: the whole history of the job) */
  attempt?: number;
  sink: FollowSink;
}

const PAGE = 5000;

/**
 * Follows one job to its end: its output live over graphql-ws (`jobLogs` from the last seq
 * delivered), its state over `jobUpdated`. After a lost connection it subscribes again from
 * the position reached, so the output has no gap and no duplicate. Once the job is finished
 * (the worker reports that only after its last chunk is stored) the rest of the output is read
 * page by page over HTTP, and the follow ends with the finished job.
 */
export class JobFollower {
  private readonly position: LogPosition;
  private connection: LiveConnection | undefined;
  private stopped = false;

  constructor(private readonly options: FollowOptions) {
    this.position = new LogPosition(options.attempt ?? 1);
  }

  async follow(): Promise<CliJobFieldsFragment> {
    for (;;) {
      if (this.stopped) throw new CliError('stopped');
      let finished: CliJobFieldsFragment;
      try {
        finished = await this.session();
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        this.options.sink.reconnecting?.(err.message);
        await this.options.budget.failed(`lost the connection to ${this.options.api.server}`, err);
        continue;
      }
      await this.catchUp(finished);
      return finished;
    }
  }

  /** Drops the live connection (the process is about to exit). */
  stop(): void {
    this.stopped = true;
    this.connection?.close();
  }

  private session(): Promise<CliJobFieldsFragment> {
    const { api, jobId, sink, budget } = this.options;
    return new Promise((resolve, reject) => {
      const connection = new LiveConnection(api.server, api.token, { connected: () => budget.succeeded() });
      this.connection = connection;
      let settled = false;
      const end = (fn: () => void) => {
        if (settled) return;
        settled = true;
        connection.close();
        fn();
      };
      const lost = new TransientError('the server ended the stream');
      connection.subscribe(JobUpdatedDocument, { id: jobId }, {
        next: ({ jobUpdated }) => {
          if (settled) return;
          sink.job(jobUpdated);
          if (TERMINAL_STATUSES.has(jobUpdated.status)) end(() => resolve(jobUpdated));
        },
        error: (err) => end(() => reject(err)),
        complete: () => end(() => reject(lost)),
      });
      connection.subscribe(
        JobLogsDocument,
        { jobId, attempt: this.position.attempt, afterSeq: this.position.seq },
        {
          // One event carries every chunk the server had ready, in order.
          next: ({ jobLogs }) => {
            if (settled) return;
            for (const chunk of jobLogs.chunks) this.deliver(chunk);
          },
          error: (err) => end(() => reject(err)),
          complete: () => end(() => reject(lost)),
        },
      );
    });
  }

  /** Whatever the live stream had not delivered when the job finished, from every attempt up to the last. */
  private async catchUp(job: CliJobFieldsFragment): Promise<void> {
    for (let attempt = this.position.attempt; attempt <= job.attempt; attempt += 1) {
      for (;;) {
        const afterSeq = attempt === this.position.attempt ? this.position.seq : 0;
        const page = await this.options.api.request(JobLogsPageDocument, { id: this.options.jobId, attempt, afterSeq, limit: PAGE });
        const logs = page.job?.logs ?? [];
        for (const chunk of logs) this.deliver(chunk);
        if (logs.length < PAGE) break;
      }
    }
  }

  private deliver(chunk: LogChunk): void {
    if (this.position.advance(chunk)) this.options.sink.log(chunk);
  }
}
