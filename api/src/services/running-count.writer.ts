import type { Logger } from '../logger';
import type { PubSubPort } from '../storage/pubsub';
import { adjustWorkerRunning } from '../storage/repositories/job-lease.repository';
import { publishWorkerUpdated } from './job-events';

export interface RunningCountWriterOptions {
  pubsub: PubSubPort;
  logger: Logger;
  /** how long changes gather before one write per worker (default 25 ms) */
  delayMs?: number;
  /** first retry delay after a failed write, doubled up to 30 s (default 500 ms) */
  retryMs?: number;
}

const MAX_RETRY_MS = 30_000;

/**
 * The `running` count shown for each worker (Worker.running, live on workerUpdated), written in
 * batches: with short jobs a lease taken and one given back moments later cancel out instead of
 * costing two writes and two events per job. The count is for display — slots are counted from
 * the leases — and still never dropped: a failed write stays pending and is retried, close()
 * writes what is left, and the sweeper recounts from the leases (the truth) in any case.
 */
export class RunningCountWriter {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private retryMs: number;
  private closed = false;

  constructor(private readonly opts: RunningCountWriterOptions) {
    this.retryMs = opts.retryMs ?? 500;
  }

  add(workerId: string, delta: number): void {
    this.pending.set(workerId, (this.pending.get(workerId) ?? 0) + delta);
    this.schedule(this.opts.delayMs ?? 25);
  }

  /** Writes everything pending now (also what a failed write left). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /** Stops the timer and writes what is pending, once. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.pending.size > 0) {
      this.opts.logger.warn({ workers: this.pending.size }, 'running counts left unwritten at shutdown; the sweeper recounts them');
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private async write(batch: Map<string, number>): Promise<void> {
    let failed = false;
    for (const [workerId, delta] of batch) {
      if (delta === 0) continue;
      try {
        const worker = await adjustWorkerRunning(workerId, delta);
        if (worker) await publishWorkerUpdated(this.opts.pubsub, worker);
      } catch (err) {
        failed = true;
        this.pending.set(workerId, (this.pending.get(workerId) ?? 0) + delta);
        this.opts.logger.warn({ err, workerId }, 'could not update a worker running count; retrying');
      }
    }
    if (failed) {
      this.schedule(this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    } else {
      this.retryMs = this.opts.retryMs ?? 500;
    }
  }
}
