import type { Logger } from 'pino';
import { isLeaseLost, isTransient, errorMessage, WorkerError } from '../errors';
import { backoffDelay, type BackoffOptions } from '../util/backoff';
import { DEFAULT_MAX_CHUNK_BYTES, type OutputStream, type RawChunk } from './chunker';
import { OutputPipeline } from './output-pipeline';

/** A numbered chunk as sent in `appendLogs`. */
export interface LogChunkOut {
  seq: number;
  stream: OutputStream;
  data: string;
  /** ISO time the chunk's first byte arrived */
  at: string;
}

export interface AppendResult {
  /** every seq ≤ ackedSeq is stored */
  ackedSeq: number;
  truncated: boolean;
}

/** Where one attempt's chunks go (appendLogs for that jobId + attempt). */
export interface LogSink {
  append(chunks: LogChunkOut[]): Promise<AppendResult>;
}

export interface LogStreamerOptions {
  /** an open chunk is sent at the latest this long after its first byte */
  flushIntervalMs: number;
  maxChunkBytes: number;
  /** unacknowledged output kept while the server is unreachable; past it output is dropped */
  maxBufferBytes: number;
  /** appendLogs calls in flight at once */
  maxInFlight: number;
  /** chunks per appendLogs call, and their total size */
  maxBatchChunks: number;
  maxBatchBytes: number;
  retry: BackoffOptions;
}

export const DEFAULT_LOG_STREAMER_OPTIONS: LogStreamerOptions = {
  flushIntervalMs: 50,
  maxChunkBytes: DEFAULT_MAX_CHUNK_BYTES,
  maxBufferBytes: 64 * 1024 * 1024,
  maxInFlight: 4,
  maxBatchChunks: 16,
  maxBatchBytes: 1024 * 1024,
  retry: { baseMs: 200, maxMs: 5_000 },
};

interface QueuedChunk extends RawChunk {
  seq: number;
}

/**
 * Streams one attempt's output to the server, modelled on buildkite's log streamer:
 * output is cut into numbered chunks (seq from 1, gap-free) in a bounded queue; up to
 * `maxInFlight` appendLogs calls carry batches of them; a chunk leaves the queue only when
 * the server acknowledges it (`ackedSeq`). When a call fails the streamer backs off, and
 * resends everything unacknowledged on retry or on `resume()` (after a reconnect) — the
 * server de-duplicates by seq. When the queue is full, output is dropped and one SYSTEM
 * chunk says how much.
 */
export class LogStreamer {
  private readonly options: LogStreamerOptions;
  private readonly pipeline: OutputPipeline;
  private readonly queue: QueuedChunk[] = [];
  private queuedBytes = 0;
  private nextSeq = 1;
  private nextSendSeq = 1;
  private inFlight = 0;
  private droppedBytes = 0;
  private paused = false;
  private failures = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private finishing = false;
  private failed: Error | undefined;
  private waiters: { resolve(): void; reject(err: Error): void }[] = [];
  /** the server reported that the per-job log cap was reached */
  truncated = false;

  constructor(
    private readonly sink: LogSink,
    secrets: Iterable<string>,
    options: Partial<LogStreamerOptions> = {},
    private readonly logger?: Logger,
  ) {
    this.options = { ...DEFAULT_LOG_STREAMER_OPTIONS, ...options };
    this.pipeline = new OutputPipeline(secrets, this.options.maxChunkBytes);
  }

  write(stream: 'STDOUT' | 'STDERR', bytes: Buffer): void {
    if (this.closed) return;
    this.enqueue(this.pipeline.write(stream, bytes));
    this.armFlush();
  }

  endStream(stream: 'STDOUT' | 'STDERR'): void {
    if (this.closed) return;
    this.enqueue(this.pipeline.endStream(stream));
    this.armFlush();
  }

  /** A line from the platform (e.g. "canceled"); newline added when missing. */
  system(text: string): void {
    if (this.closed) return;
    this.enqueue(this.pipeline.system(text.endsWith('\n') ? text : `${text}\n`));
    this.pump();
  }

  /** The connection is back: resend what is unacknowledged now instead of waiting for the backoff. */
  resume(): void {
    if (this.failed || !this.paused) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.failures = 0;
    this.retry();
  }

  /**
   * Sends what is still open and resolves once every chunk is acknowledged; rejects when the
   * attempt lost its lease (CONFLICT) or the streamer was aborted.
   */
  finish(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.finishing) {
      this.finishing = true;
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.enqueue(this.pipeline.flush());
      if (this.droppedBytes > 0) this.addDropNote(true);
      this.pump();
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.settle();
    });
  }

  /** Stops sending and clears every timer; pending `finish()` calls reject with `reason`. */
  abort(reason: Error): void {
    if (this.failed) return;
    this.failed = reason;
    clearTimeout(this.flushTimer);
    clearTimeout(this.retryTimer);
    this.flushTimer = this.retryTimer = undefined;
    for (const w of this.waiters.splice(0)) w.reject(reason);
  }

  /** Called once when the server refuses the attempt (CONFLICT). */
  onLeaseLost: ((err: Error) => void) | undefined;

  get stats(): { nextSeq: number; queuedChunks: number; queuedBytes: number; inFlight: number; dropped: number } {
    return {
      nextSeq: this.nextSeq,
      queuedChunks: this.queue.length,
      queuedBytes: this.queuedBytes,
      inFlight: this.inFlight,
      dropped: this.droppedBytes,
    };
  }

  private get closed(): boolean {
    return this.finishing || this.failed !== undefined;
  }

  private armFlush(): void {
    const since = this.pipeline.pendingSince;
    if (since !== undefined && this.flushTimer === undefined) {
      const delay = Math.max(0, this.options.flushIntervalMs - (Date.now() - since));
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.enqueue(this.pipeline.flush());
        this.pump();
      }, delay);
    }
    this.pump();
  }

  private enqueue(chunks: RawChunk[]): void {
    for (const chunk of chunks) {
      if (this.droppedBytes > 0) {
        // Keep dropping until the queue has drained to half, so a recovering connection
        // is not met by a stream of one-chunk drop notes.
        if (this.queuedBytes > this.options.maxBufferBytes / 2) {
          this.droppedBytes += chunk.bytes;
          continue;
        }
        this.addDropNote(false);
      }
      if (this.queuedBytes + chunk.bytes > this.options.maxBufferBytes) {
        this.droppedBytes += chunk.bytes;
        this.logger?.warn({ queuedBytes: this.queuedBytes }, 'log buffer full: dropping output');
        continue;
      }
      this.push(chunk);
    }
  }

  private addDropNote(final: boolean): void {
    const dropped = this.droppedBytes;
    this.droppedBytes = 0;
    const text =
      `[cmd-executor] ${dropped} bytes of output were dropped: the server was unreachable and ` +
      `the worker's log buffer (${this.options.maxBufferBytes} bytes) was full${final ? ' at the end of the job' : ''}\n`;
    this.push({ stream: 'SYSTEM', data: text, at: Date.now(), bytes: Buffer.byteLength(text) });
  }

  private push(chunk: RawChunk): void {
    this.queue.push({ ...chunk, seq: this.nextSeq++ });
    this.queuedBytes += chunk.bytes;
  }

  private pump(): void {
    if (this.failed || this.paused) return;
    while (this.inFlight < this.options.maxInFlight) {
      const start = this.queue.length === 0 ? 0 : this.nextSendSeq - this.queue[0]!.seq;
      if (start >= this.queue.length) break;
      const batch: QueuedChunk[] = [];
      let bytes = 0;
      for (let i = start; i < this.queue.length && batch.length < this.options.maxBatchChunks; i++) {
        const chunk = this.queue[i]!;
        if (batch.length > 0 && bytes + chunk.bytes > this.options.maxBatchBytes) break;
        batch.push(chunk);
        bytes += chunk.bytes;
      }
      this.nextSendSeq = batch[batch.length - 1]!.seq + 1;
      this.inFlight++;
      const out = batch.map((c) => ({ seq: c.seq, stream: c.stream, data: c.data, at: new Date(c.at).toISOString() }));
      this.sink.append(out).then(
        (res) => this.onAck(res),
        (err: unknown) => this.onFail(err),
      );
    }
  }

  private onAck(res: AppendResult): void {
    this.inFlight--;
    if (this.failed) return;
    this.failures = 0;
    if (res.truncated) this.truncated = true;
    this.logger?.trace({ ackedSeq: res.ackedSeq }, 'output acknowledged');
    while (this.queue.length > 0 && this.queue[0]!.seq <= res.ackedSeq) {
      this.queuedBytes -= this.queue.shift()!.bytes;
    }
    if (this.nextSendSeq <= res.ackedSeq) this.nextSendSeq = res.ackedSeq + 1;
    if (this.paused) {
      this.scheduleRetry();
      return;
    }
    if (this.inFlight === 0 && this.queue.length > 0 && this.nextSendSeq > this.queue[0]!.seq) {
      // Everything we sent has been answered, yet the server still misses some of it
      // (its ack stops below what we sent): send the gap again, after a pause.
      this.onFail(new WorkerError('SERVER', `server acknowledged seq ${res.ackedSeq} only`), false);
      return;
    }
    this.pump();
    this.settle();
  }

  private onFail(err: unknown, counted = true): void {
    if (counted) this.inFlight--;
    if (this.failed) return;
    if (isLeaseLost(err)) {
      const lost = err instanceof Error ? err : new Error(String(err));
      this.abort(lost);
      this.onLeaseLost?.(lost);
      return;
    }
    if (err instanceof WorkerError && !isTransient(err)) {
      // The server refuses the output itself (e.g. BAD_USER_INPUT): resending cannot help.
      this.logger?.error({ err: err.message, code: err.serverCode }, 'the server refused output; giving up on the rest of it');
      this.abort(new WorkerError('SERVER', `output refused: ${err.message}`, { cause: err, serverCode: err.serverCode }));
      return;
    }
    if (!this.paused) {
      this.logger?.warn({ err: errorMessage(err) }, 'appendLogs failed; will resend unacknowledged output');
    }
    this.paused = true;
    this.scheduleRetry();
  }

  /** once the last call out has settled: wait, then resend everything unacknowledged */
  private scheduleRetry(): void {
    if (this.inFlight > 0 || this.retryTimer || this.failed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retry();
    }, backoffDelay(this.failures++, this.options.retry));
  }

  private retry(): void {
    if (this.failed) return;
    if (this.inFlight > 0) {
      // resume() while calls are still out: the last one to settle schedules the retry.
      return;
    }
    this.paused = false;
    this.nextSendSeq = this.queue[0]?.seq ?? this.nextSeq;
    this.pump();
    this.settle();
  }

  private settle(): void {
    if (!this.finishing || this.failed) return;
    if (this.queue.length === 0 && this.inFlight === 0) {
      for (const w of this.waiters.splice(0)) w.resolve();
    }
  }
}
