import { Types } from 'mongoose';
import { JobStatus, LogStream } from '../domain/enums';
import { isTerminal, type LeaseRef } from '../domain/job-state-machine';
import { applyLogCap, contiguousUpTo, truncationNotice } from '../domain/log-cap';
import { AppError, BadUserInputError, ConflictError } from '../errors';
import type { Logger } from '../logger';
import { readyWithin, Topics, type PubSubPort } from '../storage/pubsub';
import type { Id } from '../storage/repositories/ids';
import { findJob, markLogTruncated, reserveLogBytes } from '../storage/repositories/job-lease.repository';
import * as logs from '../storage/repositories/job-log.repository';
import type { StoredChunk } from '../storage/repositories/job-log.repository';
import { AckCursorCache } from './ack-cursor.cache';
import { LiveBuffer, OVERFLOWED } from './live-buffer';
import { BatchPushIterator } from './batch-push-iterator';

export interface LogChunkInput {
  seq: number;
  stream: LogStream;
  data: string;
  at?: Date | string | null;
}

/** What subscribers get: one chunk as the `LogChunk` GraphQL type. */
export interface LogChunkView {
  jobId: string;
  attempt: number;
  seq: number;
  stream: LogStream;
  data: string;
  at: Date;
}

/**
 * What a `jobLogs` subscriber gets per event: every chunk available when the event was sent,
 * consecutive in (attempt, seq) order, continuing the previous event with no gap or duplicate.
 */
export interface LogBatchView {
  jobId: string;
  chunks: LogChunkView[];
}

/** One message per stored batch on `JOB_LOGS:<jobId>` (never one per line). */
interface LogBatchMessage {
  jobId: string;
  attempt: number;
  chunks: Array<Omit<LogChunkView, 'jobId' | 'attempt' | 'at'> & { at: string | Date }>;
}

export interface AppendResult {
  ackedSeq: number;
  truncated: boolean;
}

/** The attempt a batch is for, as the worker holding its lease names it. */
export type AttemptLease = LeaseRef & { jobId: Id; workerId: Id };

/** A batch checked, fenced and counted, waiting for its chunks to be stored. */
interface PreparedBatch {
  ref: AttemptLease;
  seqs: number[];
  /** this replica's ack cursor of the attempt when the batch arrived */
  cached: ReturnType<AckCursorCache['get']>;
  from: number;
  /** seqs of the batch found already stored */
  already: ReadonlySet<number>;
  toStore: StoredChunk[];
  /** seqs past the cap, acknowledged and not stored */
  dropped: number[];
  truncated: boolean;
}

export interface JobLogDeps {
  pubsub: PubSubPort;
  logger: Logger;
  logMaxBytes: number;
  /** How long a live stream waits for a missing seq (a concurrent append in flight) before skipping it. */
  gapWaitMs?: number;
  /** Live output one subscriber may fall behind by before it reads from the store instead (default 16 MiB). */
  liveBufferBytes?: number;
  /** Output queued for one subscriber's next events before the stream stops reading for it (default 8 Mi UTF-16 units). */
  subscriberQueueUnits?: number;
}

const MAX_CHUNKS_PER_CALL = 5000;
const REPLAY_PAGE = 500;
/** How long a new stream waits for its live channel before replaying anyway (Redis down). */
const LIVE_READY_WAIT_MS = 500;
/**
 * Output in one `jobLogs` event at most (UTF-16 units), and queued for a subscriber before the
 * stream stops reading for it. An event is JSON of up to 6× its text (control characters
 * escape to \u00XX): 2 Mi units keep it well under a client's usual message limit.
 */
const EVENT_MAX_UNITS = 2 * 1024 * 1024;

/**
 * Job output: storing the worker's numbered chunks (idempotent, capped), the platform's SYSTEM
 * lines, reading them back, and the live `jobLogs` stream with no gap or duplicate at the seam
 * between replay and live.
 */
export class JobLogService {
  /** Per attempt, what this replica knows is stored (see AckCursorCache). */
  private readonly acked = new AckCursorCache();
  private readonly gapWaitMs: number;
  private readonly liveBufferBytes: number;
  private readonly subscriberQueueUnits: number;

  constructor(private readonly deps: JobLogDeps) {
    this.gapWaitMs = deps.gapWaitMs ?? 3000;
    this.liveBufferBytes = deps.liveBufferBytes ?? 16 * 1024 * 1024;
    this.subscriberQueueUnits = deps.subscriberQueueUnits ?? 8 * 1024 * 1024;
  }

  /**
   * Stores a batch from the worker holding `ref`'s lease. A resent chunk is acknowledged and
   * not stored twice. Past the cap, output is dropped (and acknowledged) and the chunk that
   * crossed it becomes the one SYSTEM line saying so.
   */
  async append(ref: AttemptLease, input: readonly LogChunkInput[]): Promise<AppendResult> {
    const batch = await this.prepare(ref, input);
    const duplicates = await logs.insertChunks(batch.toStore);
    return this.finish(batch, duplicates);
  }

  /**
   * `append` for several attempts' batches (an agent's output of one moment): each is fenced,
   * counted and acknowledged as `append` does, alone, and all their chunks are stored in one
   * write. A batch refused for its own reason (a lost lease, a bad seq) is answered with that
   * error and takes nothing else with it; a failure of the store fails the call.
   */
  async appendMany(items: ReadonlyArray<{ ref: AttemptLease; input: readonly LogChunkInput[] }>): Promise<Array<AppendResult | AppError>> {
    if (items.reduce((n, i) => n + i.input.length, 0) > MAX_CHUNKS_PER_CALL) {
      throw new BadUserInputError('batches', `at most ${MAX_CHUNKS_PER_CALL} chunks per call`);
    }
    const prepared = await Promise.allSettled(items.map((i) => this.prepare(i.ref, i.input)));
    const out: Array<AppendResult | AppError | undefined> = new Array(items.length);
    const batches: Array<{ i: number; batch: PreparedBatch; offset: number }> = [];
    const toStore: StoredChunk[] = [];
    for (const [i, p] of prepared.entries()) {
      if (p.status === 'rejected') {
        if (!(p.reason instanceof AppError)) throw p.reason;
        out[i] = p.reason;
        continue;
      }
      batches.push({ i, batch: p.value, offset: toStore.length });
      toStore.push(...p.value.toStore);
    }
    const duplicateIndexes = await logs.insertChunksAt(toStore);
    for (const { i, batch, offset } of batches) {
      const duplicates = new Set<number>();
      for (const [k, c] of batch.toStore.entries()) if (duplicateIndexes.has(offset + k)) duplicates.add(c.seq);
      out[i] = await this.finish(batch, duplicates);
    }
    return out as Array<AppendResult | AppError>;
  }

  /** Checks a batch, fences the attempt and reserves its bytes: what to store, and how to answer. */
  private async prepare(ref: AttemptLease, input: readonly LogChunkInput[]): Promise<PreparedBatch> {
    if (input.length > MAX_CHUNKS_PER_CALL) {
      throw new BadUserInputError('chunks', `at most ${MAX_CHUNKS_PER_CALL} chunks per call`);
    }
    const bySeq = new Map<number, LogChunkInput>();
    for (const [i, c] of input.entries()) {
      if (!Number.isInteger(c.seq) || c.seq < 1) throw new BadUserInputError(`chunks[${i}].seq`, 'seq must be an integer ≥ 1');
      if (!bySeq.has(c.seq)) bySeq.set(c.seq, c);
    }
    const seqs = [...bySeq.keys()].sort((a, b) => a - b);
    const cached = this.acked.get(ref.jobId, ref.attempt);
    const from = cached?.acked ?? 0;
    // Chunks above what this replica knows to be stored are new in the common case (the unique
    // index still stops a duplicate): only a possible resend, or an attempt this replica has not
    // seen (a reconnect after an API restart), costs the lookup that keeps logBytes exact.
    const mayBeResent = cached === undefined || (seqs[0] !== undefined && seqs[0] <= from) || seqs.some((s) => cached.above.has(s));
    const already = mayBeResent ? await logs.existingSeqs(ref.jobId, ref.attempt, seqs) : new Set<number>();
    // Encoded once: the UTF-8 bytes are both what the cap counts and what is stored.
    const fresh: Array<LogChunkInput & { bytes: number; utf8: Buffer }> = [];
    let total = 0;
    for (const seq of seqs) {
      if (already.has(seq)) continue;
      const c = bySeq.get(seq) as LogChunkInput;
      const utf8 = Buffer.from(c.data, 'utf8');
      fresh.push({ seq, stream: c.stream, data: c.data, at: c.at, bytes: utf8.length, utf8 });
      total += utf8.length;
    }

    // Fencing and the byte reservation in one atomic step: the range [after - total, after)
    // is this batch's, so concurrent batches never both cross the cap.
    const job = await reserveLogBytes(ref, total);
    if (!job) throw new ConflictError('this attempt no longer holds the lease');

    const jobId = new Types.ObjectId(String(ref.jobId));
    const decisions = applyLogCap(fresh, job.logBytes - total, this.deps.logMaxBytes);
    const now = new Date();
    const toStore: StoredChunk[] = [];
    const dropped: number[] = [];
    let crossed = false;
    for (const d of decisions) {
      const at = d.chunk.at ? new Date(d.chunk.at) : now;
      if (d.kind === 'keep') toStore.push({ jobId, attempt: ref.attempt, seq: d.chunk.seq, stream: d.chunk.stream, data: d.chunk.data, utf8: d.chunk.utf8, at });
      else if (d.kind === 'truncate') {
        crossed = true;
        toStore.push({ jobId, attempt: ref.attempt, seq: d.chunk.seq, stream: LogStream.SYSTEM, data: truncationNotice(this.deps.logMaxBytes), at });
      } else dropped.push(d.chunk.seq);
    }
    if (crossed) await markLogTruncated(jobId);
    return { ref, seqs, cached, from, already, toStore, dropped, truncated: job.logTruncated === true || crossed || dropped.length > 0 };
  }

  /** Once the batch's chunks are stored (`duplicates`: seqs someone else stored first): the acknowledgement, and the live event. */
  private async finish(batch: PreparedBatch, duplicates: ReadonlySet<number>): Promise<AppendResult> {
    const { ref, seqs, cached, from, already, toStore, dropped, truncated } = batch;
    const stored = duplicates.size === 0 ? toStore : toStore.filter((c) => !duplicates.has(c.seq));
    // What is stored now: what this replica knew (read again: concurrent batches of the attempt
    // may have added to it meanwhile) plus this batch — unless a duplicate showed that someone
    // else stored part of it (another replica, or a resend racing this one): then look.
    const cursor = this.acked.get(ref.jobId, ref.attempt);
    const knownHere = cursor !== undefined && cursor === cached && duplicates.size === 0;
    const known = knownHere ? [...cursor.above, ...already, ...toStore.map((c) => c.seq)] : await logs.seqsAbove(ref.jobId, ref.attempt, from);
    const base = knownHere ? cursor.acked : from;
    // Past the cap nothing more is stored, whatever its seq: everything received is acknowledged
    // (dropped chunks never fill the gaps they leave, and the worker must not hold them forever).
    const ackedSeq = truncated ? Math.max(contiguousUpTo(base, [...known, ...dropped]), ...seqs) : contiguousUpTo(base, known);
    this.acked.remember(ref.jobId, ref.attempt, ackedSeq, known);

    if (stored.length > 0) await this.publish(String(ref.jobId), ref.attempt, stored);
    return { ackedSeq, truncated };
  }

  /**
   * A line the platform adds (lost worker, retry, timeout) after the attempt's own output. Called
   * only once the attempt is fenced off, so no worker chunk can take the seq after it.
   */
  async appendSystem(jobId: Id, attempt: number, text: string): Promise<void> {
    const id = new Types.ObjectId(String(jobId));
    for (let tries = 0; tries < 5; tries += 1) {
      const seq = (await logs.maxSeq(id, attempt)) + 1;
      const chunk: StoredChunk = { jobId: id, attempt, seq, stream: LogStream.SYSTEM, data: text.endsWith('\n') ? text : `${text}\n`, at: new Date() };
      const dup = await logs.insertChunks([chunk]);
      if (dup.size === 0) {
        await this.publish(String(jobId), attempt, [chunk]);
        return;
      }
    }
    this.deps.logger.warn({ jobId: String(jobId), attempt }, 'could not place a SYSTEM log line');
  }

  async list(jobId: Id, attempt: number, afterSeq: number, limit: number): Promise<LogChunkView[]> {
    const rows = await logs.listChunks(jobId, attempt, afterSeq, limit);
    return rows.map(toView);
  }

  /**
   * A new attempt was leased or started here: nothing of it is stored yet, so its first batch
   * need not look. Attempt numbers are never reused (a requeue moves to the next one).
   */
  beginAttempt(jobId: Id, attempt: number): void {
    // At start, output may have come already (an agent starts the process before startJob's
    // answer): what this replica stored of it by then is recorded, and kept.
    this.acked.begin(jobId, attempt);
  }

  /** The attempt is over: its ack cursor is no longer needed on this replica. */
  forgetAttempt(jobId: Id, attempt: number): void {
    this.acked.forget(jobId, attempt);
  }

  /**
   * Stored chunks from (attempt, afterSeq) on, then live ones, continuing into later attempts,
   * ending when the job ends. The live channel is subscribed before the replay, so nothing
   * published meanwhile is missed; every chunk goes out once, in (attempt, seq) order.
   */
  stream(jobId: string, attempt: number, afterSeq: number): AsyncIterableIterator<LogBatchView> {
    const { pubsub } = this.deps;
    const gapWaitMs = this.gapWaitMs;
    // Chunks queue here while the subscriber's socket is busy and leave together at its next pull.
    const out = new BatchPushIterator<LogChunkView>((c) => Math.max(1, c.data.length), EVENT_MAX_UNITS, this.subscriberQueueUnits);
    const live = pubsub.asyncIterator<LogBatchMessage | { status?: string }>([Topics.jobLogs(jobId), Topics.jobUpdated(jobId)]);
    out.onClose(() => void live.return?.());
    // Off the channel at once, held up to a bound while the subscriber catches up.
    const held = new LiveBuffer(live, (msg) => (isBatch(msg) ? batchSize(msg) : 0), this.liveBufferBytes);
    // Live delivery lost messages (Redis went away and came back, or a publish of this job's
    // failed here): read them from the store.
    out.onClose(pubsub.onResume((e) => {
      if (e.topic === undefined || e.topic === Topics.jobLogs(jobId) || e.topic === Topics.jobUpdated(jobId)) held.markMissed();
    }));
    const cursor = { attempt, seq: afterSeq };
    /** Queues chunks that continue the cursor, in order, as one push. */
    const emit = async (chunks: LogChunkView[]): Promise<void> => {
      const last = chunks.at(-1);
      if (!last) return;
      cursor.attempt = last.attempt;
      cursor.seq = last.seq;
      await out.push(chunks);
    };
    /** Emits stored chunks in order after the cursor; 'gap' when a seq is missing (skipGaps: jump it). */
    const catchUp = async (skipGaps: boolean): Promise<'ok' | 'gap'> => {
      for (;;) {
        const rows = await logs.chunksAfter(jobId, cursor.attempt, cursor.seq, REPLAY_PAGE);
        if (out.closed) return 'ok';
        const run: LogChunkView[] = [];
        let { attempt: at, seq } = cursor;
        for (const row of rows) {
          const next = row.attempt === at ? row.seq === seq + 1 : row.seq === 1;
          if (!next && !skipGaps) {
            await emit(run);
            return 'gap';
          }
          run.push(toView(row));
          at = row.attempt;
          seq = row.seq;
        }
        await emit(run);
        if (rows.length < REPLAY_PAGE) return 'ok';
      }
    };
    /** Waits out a gap (a concurrent batch still being stored), then skips it. */
    const catchUpPatiently = async (): Promise<void> => {
      const deadline = Date.now() + gapWaitMs;
      while (!out.closed && (await catchUp(false)) === 'gap') {
        if (Date.now() >= deadline) {
          await catchUp(true);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    /** The job ended: the store has all of its output. */
    const ended = async (): Promise<boolean> => {
      const job = await findJob(jobId);
      return !job || isTerminal(job.status);
    };
    const pump = async (): Promise<void> => {
      await readyWithin(live, LIVE_READY_WAIT_MS);
      const job = await findJob(jobId);
      await catchUpPatiently();
      if (!job || isTerminal(job.status)) {
        await catchUp(true);
        return;
      }
      for (;;) {
        const msg = await held.next();
        if (out.closed || msg === undefined) return;
        if (msg === OVERFLOWED) {
          // Fell behind by more than the buffer, or live delivery lost messages: the store has them.
          this.deps.logger.debug({ jobId, after: { ...cursor } }, 'log subscriber fell behind its live buffer, or live delivery missed messages: reading from the store');
          await catchUpPatiently();
          // Its final status may have been among what was missed.
          if (await ended()) {
            await catchUp(true);
            return;
          }
          continue;
        }
        if (isBatch(msg)) {
          const batch = msg;
          const chunks = [...batch.chunks].sort((a, b) => a.seq - b.seq);
          const run: LogChunkView[] = [];
          let seq = cursor.seq;
          let inOrder = true;
          for (const c of chunks) {
            const beyond = batch.attempt > cursor.attempt || (batch.attempt === cursor.attempt && c.seq > seq);
            if (!beyond) continue; // already emitted (replayed, or a resend)
            if (batch.attempt === cursor.attempt && c.seq === seq + 1) {
              run.push({ jobId, attempt: batch.attempt, seq: c.seq, stream: c.stream, data: c.data, at: new Date(c.at) });
              seq = c.seq;
            } else {
              inOrder = false;
              break;
            }
          }
          await emit(run);
          // Out of order (a later attempt, or a batch that overtook another): the store has it.
          if (!inOrder) await catchUpPatiently();
        } else if ('status' in msg && typeof msg.status === 'string' && isTerminal(msg.status as JobStatus)) {
          // Everything the job wrote was stored before it ended.
          await catchUpPatiently();
          await catchUp(true);
          return;
        }
      }
    };
    pump().then(
      () => out.end(),
      (err: unknown) => out.end(err),
    );
    return mapIterator(out, (chunks) => ({ jobId, chunks }));
  }

  private async publish(jobId: string, attempt: number, chunks: StoredChunk[]): Promise<void> {
    const message: LogBatchMessage = {
      jobId,
      attempt,
      chunks: chunks.map((c) => ({ seq: c.seq, stream: c.stream, data: c.data, at: c.at })),
    };
    await this.deps.pubsub.publish(Topics.jobLogs(jobId), message);
  }

}

function isBatch(msg: LogBatchMessage | { status?: string }): msg is LogBatchMessage {
  return 'chunks' in msg && Array.isArray(msg.chunks);
}

/** the output a live message holds (UTF-16 units: near enough to bytes for a memory bound) */
function batchSize(msg: LogBatchMessage): number {
  let n = 0;
  for (const c of msg.chunks) n += c.data.length;
  return Math.max(1, n);
}

/** `source`'s values through `fn`; `return()` reaches the source at once (see PushIterator). */
function mapIterator<A, B>(source: AsyncIterableIterator<A>, fn: (a: A) => B): AsyncIterableIterator<B> {
  const it: AsyncIterableIterator<B> = {
    next: async () => {
      const r = await source.next();
      return r.done ? { value: undefined, done: true } : { value: fn(r.value), done: false };
    },
    return: async () => {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

function toView(c: StoredChunk | LogChunkView): LogChunkView {
  return { jobId: String(c.jobId), attempt: c.attempt, seq: c.seq, stream: c.stream, data: c.data, at: new Date(c.at) };
}
