import { WorkerError } from '../../src/errors';
import type { AppendResult, LogChunkOut } from '../../src/output/log-streamer';
import type { JobApi, JobResult } from '../../src/runner/job-runner';

/** A chunk as received, its text decoded. */
export type ReceivedChunk = Omit<LogChunkOut, 'data'> & { data: string };

/**
 * An in-memory stand-in for the server's job-scoped mutations with the server's contract:
 * appendLogs is idempotent by seq and acknowledges the highest gap-free seq; any call for
 * an attempt marked lost is refused with CONFLICT; while `down`, every call fails as if the
 * connection were gone.
 */
export class FakeJobApi implements JobApi {
  readonly chunks = new Map<number, ReceivedChunk>();
  readonly completed: { jobId: string; attempt: number; result: JobResult }[] = [];
  readonly started: string[] = [];
  appendCalls = 0;
  rejectedWhileDown = 0;
  duplicateChunks = 0;
  down = false;
  lost = false;
  /** each appendLogs answers this much later (a slow server) */
  appendDelayMs = 0;
  /** a server whose acknowledgement never passes this seq (it stores, but stops advancing) */
  ackStuckAt: number | undefined;
  /** acknowledgements of chunks before completeJob was called */
  ackedAtComplete: number | undefined;
  private acked = 0;

  /** startJob answers only once this settles (a slow server); set before the runner starts */
  startGate: Promise<void> | undefined;

  async startJob(jobId: string, attempt: number): Promise<void> {
    await this.startGate;
    this.check();
    this.started.push(`${jobId}/${attempt}`);
  }

  async appendLogs(_jobId: string, _attempt: number, chunks: LogChunkOut[]): Promise<AppendResult> {
    this.appendCalls++;
    this.check();
    await new Promise((r) => (this.appendDelayMs > 0 ? setTimeout(r, this.appendDelayMs) : setImmediate(r)));
    for (const c of chunks) {
      if (this.chunks.has(c.seq)) this.duplicateChunks++;
      else this.chunks.set(c.seq, { ...c, data: c.data.toString('utf8') });
    }
    while (this.chunks.has(this.acked + 1) && (this.ackStuckAt === undefined || this.acked < this.ackStuckAt)) this.acked++;
    return { ackedSeq: this.acked, truncated: false };
  }

  async completeJob(jobId: string, attempt: number, result: JobResult): Promise<void> {
    this.check();
    this.ackedAtComplete = this.acked;
    this.completed.push({ jobId, attempt, result });
  }

  /** chunks in seq order; throws on a gap */
  ordered(): ReceivedChunk[] {
    const out: ReceivedChunk[] = [];
    for (let seq = 1; seq <= this.chunks.size; seq++) {
      const c = this.chunks.get(seq);
      if (!c) throw new Error(`gap at seq ${seq}`);
      out.push(c);
    }
    return out;
  }

  text(stream?: string): string {
    return this.ordered()
      .filter((c) => stream === undefined || c.stream === stream)
      .map((c) => c.data)
      .join('');
  }

  private check(): void {
    if (this.down) {
      this.rejectedWhileDown++;
      throw new WorkerError('NOT_CONNECTED', 'not connected');
    }
    if (this.lost) throw new WorkerError('CONFLICT', 'attempt no longer holds the lease', { serverCode: 'CONFLICT' });
  }
}
