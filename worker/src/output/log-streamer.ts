import type { Logger } from 'pino';
import { isLeaseLost, isTransient, errorMessage, WorkerError } from '../errors';
import { backoffDelay, type BackoffOptions } from '../util/backoff';
import { DEFAULT_MAX_CHUNK_BYTES, type OutputStream, type RawChunk } from './chunker';
import {
  initialMode,
  isOffline,
  isWaitingToResend,
  nextFlow,
  nextLink,
  nextLogCap,
  nextPhase,
  takesOutput,
  type LinkEvent,
  type LogStreamMode,
} from './log-stream-mode';
import { OutputPipeline } from './output-pipeline';

/** A numbered chunk as sent in `appendLogs`. */
export interface LogChunkOut {
  seq: number;
  stream: OutputStream;
  /** the chunk's text as UTF-8 (why bytes: `QueuedChunk`) */
  data: Buffer;
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
  /** an open chunk is sent this long after its first byte (at the latest, give or take `flushGridMs`) */
  flushIntervalMs: number;
  /**
   * Flushes fall on multiples of this on the clock (0: exactly `flushIntervalMs` after the first
   * byte): the chunks several jobs close at one tick go out in one appendLogsBatch call instead
   * of one call each (worker-api.ts), at the cost of at most this much more wait.
   */
  flushGridMs: number;
  maxChunkBytes: number;
  /** unacknowledged output kept while the server is unreachable; past it output is dropped */
  maxBufferBytes: number;
  /**
   * While the server is reachable, reading the job's output stops (backpressure) once this much
   * is queued or in flight (capped at half of maxBufferBytes, leaving room for a disconnect),
   * and starts again once acknowledgements bring it down to `lowWaterBytes`.
   */
  highWaterBytes: number;
  lowWaterBytes: number;
  /** resends answered with the same ackedSeq before the rest of the attempt's output is given up */
  maxStalledResends: number;
  /** appendLogs calls in flight at once */
  maxInFlight: number;
  /** chunks per appendLogs call, and their total size */
  maxBatchChunks: number;
  maxBatchBytes: number;
  retry: BackoffOptions;
}

export const DEFAULT_LOG_STREAMER_OPTIONS: LogStreamerOptions = {
  flushIntervalMs: 50,
  flushGridMs: 25,
  maxChunkBytes: DEFAULT_MAX_CHUNK_BYTES,
  maxBufferBytes: 64 * 1024 * 1024,
  highWaterBytes: 16 * 1024 * 1024,
  lowWaterBytes: 8 * 1024 * 1024,
  maxStalledResends: 5,
  maxInFlight: 4,
  // 2 MiB of text is at most 12 MiB of JSON (a control character escapes to 6 bytes): under the
  // server's 16 MiB message limit. The chunk count (the server takes up to 5000) rarely binds:
  // a backlog of small chunks (interleaved stdout/stderr) goes out in one call, not one per 32.
  maxBatchChunks: 1024,
  maxBatchBytes: 2 * 1024 * 1024,
  retry: { baseMs: 200, maxMs: 5_000 },
};

export interface LogStreamerStats {
  nextSeq: number;
  queuedChunks: number;
  /** output queued or in flight, not yet acknowledged */
  queuedBytes: number;
  /** the most queuedBytes ever held */
  peakQueuedBytes: number;
  inFlight: number;
  dropped: number;
  /** the sources are asked to stop reading */
  flowPaused: boolean;
  /** how often the sources were paused */
  flowPauses: number;
  offline: boolean;
  highWaterBytes: number;
  lowWaterBytes: number;
}

/**
 * A chunk waiting to be sent or acknowledged. Its text is held as UTF-8 bytes: it waits tens to
 * hundreds of ms, and as a string in V8's young generation it outlived the collections meanwhile
 * and was copied each time (about 0.4 s of collector CPU per 100 MB of output, a third of the
 * agent's CPU). Bytes live outside the heap; the text is made again only to be sent.
 */
interface QueuedChunk extends Omit<RawChunk, 'data'> {
  seq: number;
  data: Buffer;
}

/**
 * Streams one attempt's output to the server, modelled on buildkite's log streamer:
 * output is cut into numbered chunks (seq from 1, gap-free) in a bounded queue; up to
 * `maxInFlight` appendLogs calls carry batches of them; a chunk leaves the queue only when
 * the server acknowledges it (`ackedSeq`). When a call fails the streamer backs off, and
 * resends everything unacknowledged on retry or on `resume()` (after a reconnect) — the
 * server de-duplicates by seq.
 *
 * Flow control: while the server is reachable nothing is ever dropped; once the queued and
 * in-flight output reaches the high-water mark the streamer asks its sources to stop reading
 * (`onFlowChange(false)`, the job then blocks on write) until acknowledgements bring it to the
 * low-water mark. Only while the connection is down (NOT_CONNECTED / DISCONNECTED) do the
 * sources keep flowing into the bounded buffer; past it output is dropped, and one SYSTEM chunk
 * says how much once the server is back (or at the end). Once the server says the job's log cap
 * is reached (`truncated`), nothing more is sent; a server whose ack stops advancing is given
 * up on after `maxStalledResends` resends.
 *
 * Its mode (phase, log cap, link, flow) and the events that move it are in `log-stream-mode.ts`.
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
  private readonly mode: LogStreamMode = initialMode();
  private highestAcked = 0;
  private stalledResends = 0;
  private peakQueuedBytes = 0;
  private flowPauses = 0;
  private readonly highWater: number;
  private readonly lowWater: number;
  private failures = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** why the streamer was aborted (set with phase `aborted`) */
  private abortReason: Error | undefined;
  private waiters: { resolve(): void; reject(err: Error): void }[] = [];

  constructor(
    private readonly sink: LogSink,
    secrets: Iterable<string>,
    options: Partial<LogStreamerOptions> = {},
    private readonly logger?: Logger,
  ) {
    this.options = { ...DEFAULT_LOG_STREAMER_OPTIONS, ...options };
    this.pipeline = new OutputPipeline(secrets, this.options.maxChunkBytes);
    this.highWater = Math.max(1, Math.min(this.options.highWaterBytes, Math.floor(this.options.maxBufferBytes / 2)));
    this.lowWater = Math.max(0, Math.min(this.options.lowWaterBytes, Math.floor(this.highWater / 2)));
  }

  /**
   * Called with false when the sources should stop reading (backpressure) and with true when
   * they may read again. Both streams of a job are paused and resumed together.
   */
  onFlowChange: ((flowing: boolean) => void) | undefined;

  /** whether the sources are asked to stop reading */
  get isFlowPaused(): boolean {
    return this.mode.flow === 'paused';
  }

  /** the server reported that the per-job log cap was reached */
  get truncated(): boolean {
    return this.mode.logCap === 'reached';
  }

  write(stream: 'STDOUT' | 'STDERR', bytes: Buffer): void {
    if (!takesOutput(this.mode)) return;
    this.enqueue(this.pipeline.write(stream, bytes));
    this.armFlush();
    this.updateFlow();
  }

  endStream(stream: 'STDOUT' | 'STDERR'): void {
    if (!takesOutput(this.mode)) return;
    this.enqueue(this.pipeline.endStream(stream));
    this.armFlush();
    this.updateFlow();
  }

  /** A line from the platform (e.g. "canceled"); newline added when missing. */
  system(text: string): void {
    if (!takesOutput(this.mode)) return;
    this.enqueue(this.pipeline.system(text.endsWith('\n') ? text : `${text}\n`));
    this.pump();
    this.updateFlow();
  }

  /** The connection is back: resend what is unacknowledged now instead of waiting for the backoff. */
  resume(): void {
    if (this.mode.phase === 'aborted') return;
    this.onServerReached();
    if (!isWaitingToResend(this.mode.link)) {
      this.updateFlow();
      return;
    }
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
    if (this.mode.phase === 'aborted') return Promise.reject(this.abortReason);
    if (this.mode.phase === 'open') {
      this.mode.phase = nextPhase(this.mode.phase, 'finish');
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.enqueue(this.pipeline.flush());
      if (this.droppedBytes > 0) this.addDropNote(true);
      this.pump();
      this.updateFlow();
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.settle();
    });
  }

  /** Stops sending and clears every timer; pending `finish()` calls reject with `reason`. */
  abort(reason: Error): void {
    if (this.mode.phase === 'aborted') return;
    this.mode.phase = nextPhase(this.mode.phase, 'abort');
    this.abortReason = reason;
    clearTimeout(this.flushTimer);
    clearTimeout(this.retryTimer);
    this.flushTimer = this.retryTimer = undefined;
    for (const w of this.waiters.splice(0)) w.reject(reason);
    // Whatever the job still writes is read and discarded, so it never blocks on a full pipe.
    this.updateFlow();
  }

  /** Called once when the server refuses the attempt (CONFLICT). */
  onLeaseLost: ((err: Error) => void) | undefined;

  get stats(): LogStreamerStats {
    return {
      nextSeq: this.nextSeq,
      queuedChunks: this.queue.length,
      queuedBytes: this.queuedBytes,
      peakQueuedBytes: this.peakQueuedBytes,
      inFlight: this.inFlight,
      dropped: this.droppedBytes,
      flowPaused: this.mode.flow === 'paused',
      flowPauses: this.flowPauses,
      offline: isOffline(this.mode.link),
      highWaterBytes: this.highWater,
      lowWaterBytes: this.lowWater,
    };
  }

  private armFlush(): void {
    const since = this.pipeline.pendingSince;
    if (since !== undefined && this.flushTimer === undefined) {
      const due = since + this.options.flushIntervalMs;
      const grid = this.options.flushGridMs;
      const delay = Math.max(0, (grid > 0 ? Math.ceil(due / grid) * grid : due) - Date.now());
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.enqueue(this.pipeline.flush());
        this.pump();
        this.updateFlow();
      }, delay);
    }
    this.pump();
  }

  private enqueue(chunks: RawChunk[]): void {
    for (const chunk of chunks) {
      // Past the log cap the server stores nothing more: don't send it.
      if (this.mode.logCap === 'reached') continue;
      // Only an unreachable server costs output (while it is reachable the sources are paused
      // instead). Once dropping started it goes on until the server is back, so the gap gets
      // exactly one note.
      if (isOffline(this.mode.link) && (this.droppedBytes > 0 || this.queuedBytes + chunk.bytes > this.options.maxBufferBytes)) {
        if (this.droppedBytes === 0) this.logger?.warn({ queuedBytes: this.queuedBytes }, 'log buffer full while the server is unreachable: dropping output');
        this.droppedBytes += chunk.bytes;
        continue;
      }
      if (this.droppedBytes > 0) this.addDropNote(false);
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
    this.queue.push({ seq: this.nextSeq++, stream: chunk.stream, data: ownBytes(chunk.data), at: chunk.at, bytes: chunk.bytes });
    this.queuedBytes += chunk.bytes;
    if (this.queuedBytes > this.peakQueuedBytes) this.peakQueuedBytes = this.queuedBytes;
  }

  /** pauses or resumes the sources: hysteresis between the low- and high-water marks */
  private updateFlow(): void {
    const flow = nextFlow(this.mode, this.queuedBytes + this.pipeline.pendingBytes, { highWater: this.highWater, lowWater: this.lowWater });
    if (flow === this.mode.flow) return;
    this.mode.flow = flow;
    const hold = flow === 'paused';
    if (hold) this.flowPauses++;
    this.logger?.trace({ queuedBytes: this.queuedBytes, paused: hold }, hold ? 'output backpressure: pausing the job output' : 'resuming the job output');
    this.onFlowChange?.(!hold);
  }

  private moveLink(event: LinkEvent): void {
    this.mode.link = nextLink(this.mode.link, event);
  }

  /** an answer came (or the connection is back): a gap in the output gets its note now */
  private onServerReached(): void {
    const wasOffline = isOffline(this.mode.link);
    this.moveLink('serverReached');
    if (wasOffline && this.droppedBytes > 0 && this.mode.phase !== 'aborted' && this.mode.logCap === 'below') this.addDropNote(false);
  }

  /** the server reached the job's log cap: send nothing more, but get what was sent acknowledged */
  private onTruncated(): void {
    if (this.mode.logCap === 'reached') return;
    this.mode.logCap = nextLogCap(this.mode.logCap, 'truncated');
    const firstUnsent = this.queue.findIndex((c) => c.seq >= this.nextSendSeq);
    if (firstUnsent >= 0) {
      for (const c of this.queue.splice(firstUnsent)) this.queuedBytes -= c.bytes;
    }
    this.droppedBytes = 0;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.logger?.info('the server reached the log cap for this job: the rest of its output is not sent');
  }

  /**
   * Sends batches while a call slot is free. A batch that is not full goes out only when no call
   * is out (or at the end); otherwise the chunks that arrive meanwhile wait for the answer and
   * travel together. A fast job then costs a few large calls rather than one per pipe read (each
   * call costs the server a fence-and-reserve update and a GraphQL operation, whatever its
   * size), and a slow one still sends each chunk at once. Full batches use every slot.
   */
  private pump(): void {
    if (this.mode.phase === 'aborted' || isWaitingToResend(this.mode.link)) return;
    while (this.inFlight < this.options.maxInFlight) {
      const start = this.queue.length === 0 ? 0 : this.nextSendSeq - this.queue[0]!.seq;
      if (start >= this.queue.length) break;
      const batch: QueuedChunk[] = [];
      let bytes = 0;
      let full = false;
      for (let i = start; i < this.queue.length; i++) {
        const chunk = this.queue[i]!;
        if (batch.length >= this.options.maxBatchChunks || (batch.length > 0 && bytes + chunk.bytes > this.options.maxBatchBytes)) {
          full = true;
          break;
        }
        batch.push(chunk);
        bytes += chunk.bytes;
      }
      if (batch.length >= this.options.maxBatchChunks || bytes >= this.options.maxBatchBytes) full = true;
      if (!full && this.inFlight > 0 && this.mode.phase !== 'finishing') break;
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
    if (this.mode.phase === 'aborted') return;
    this.failures = 0;
    this.onServerReached();
    this.logger?.trace({ ackedSeq: res.ackedSeq }, 'output acknowledged');
    let drained = 0;
    while (this.queue.length > 0 && this.queue[0]!.seq <= res.ackedSeq) {
      this.queuedBytes -= this.queue.shift()!.bytes;
      drained++;
    }
    if (res.ackedSeq > this.highestAcked || drained > 0) this.stalledResends = 0;
    this.highestAcked = Math.max(this.highestAcked, res.ackedSeq);
    if (this.nextSendSeq <= res.ackedSeq) this.nextSendSeq = res.ackedSeq + 1;
    if (res.truncated) this.onTruncated();
    if (isWaitingToResend(this.mode.link)) {
      this.scheduleRetry();
      this.updateFlow();
      return;
    }
    if (this.inFlight === 0 && this.queue.length > 0 && this.nextSendSeq > this.queue[0]!.seq) {
      // Everything we sent has been answered, yet the server still misses some of it
      // (its ack stops below what we sent): send the gap again, after a pause — but not
      // forever: a server that keeps answering the same ackedSeq will not store the rest.
      if (++this.stalledResends > this.options.maxStalledResends) {
        this.giveUp(res.ackedSeq);
        return;
      }
      this.onFail(new WorkerError('SERVER', `server acknowledged seq ${res.ackedSeq} only`), false);
      return;
    }
    this.pump();
    this.updateFlow();
    this.settle();
  }

  private giveUp(ackedSeq: number): void {
    const lost = { chunks: this.queue.length, bytes: this.queuedBytes, lastSeq: this.nextSeq - 1 };
    this.logger?.error(
      { ackedSeq, resends: this.options.maxStalledResends, ...lost },
      'the server keeps acknowledging the same seq: giving up on the rest of this attempt\'s output',
    );
    this.abort(
      new WorkerError(
        'SERVER',
        `output incomplete: the server acknowledged seq ${ackedSeq} only after ${this.options.maxStalledResends} resends; ${lost.bytes} bytes (seq ${ackedSeq + 1}-${lost.lastSeq}) not stored`,
      ),
    );
  }

  private onFail(err: unknown, counted = true): void {
    if (counted) this.inFlight--;
    if (this.mode.phase === 'aborted') return;
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
    if (!isWaitingToResend(this.mode.link)) {
      this.logger?.warn({ err: errorMessage(err) }, 'appendLogs failed; will resend unacknowledged output');
    }
    // Only a lost connection lets the job's output run into the bounded buffer; a slow or
    // hiccuping server (TIMEOUT, RATE_LIMITED, …) keeps the backpressure on.
    const lost = err instanceof WorkerError && (err.code === 'NOT_CONNECTED' || err.code === 'DISCONNECTED');
    this.moveLink(lost ? 'connectionLost' : 'callFailed');
    this.scheduleRetry();
    this.updateFlow();
  }

  /** once the last call out has settled: wait, then resend everything unacknowledged */
  private scheduleRetry(): void {
    if (this.inFlight > 0 || this.retryTimer || this.mode.phase === 'aborted') return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retry();
    }, backoffDelay(this.failures++, this.options.retry));
  }

  private retry(): void {
    if (this.mode.phase === 'aborted') return;
    if (this.inFlight > 0) {
      // resume() while calls are still out: the last one to settle schedules the retry.
      return;
    }
    this.moveLink('resendStarted');
    this.nextSendSeq = this.queue[0]?.seq ?? this.nextSeq;
    this.pump();
    this.updateFlow();
    this.settle();
  }

  private settle(): void {
    if (this.mode.phase !== 'finishing') return;
    if (this.queue.length === 0 && this.inFlight === 0) {
      for (const w of this.waiters.splice(0)) w.resolve();
    }
  }
}

/**
 * `text` as UTF-8 in memory of its own. A small `Buffer.from` is a slice of an 8 KiB pool shared
 * with whatever else was allocated around it, all of it kept alive while the chunk waits: a
 * backlog of small chunks (a slow job while the server is unreachable) could hold many times
 * the bytes the buffer limit counts.
 */
function ownBytes(text: string): Buffer {
  const bytes = Buffer.byteLength(text, 'utf8');
  const buf = Buffer.allocUnsafeSlow(bytes);
  buf.write(text, 0, bytes, 'utf8');
  return buf;
}
