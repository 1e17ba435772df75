import { asObjectId, type Id } from './ids';
import { Types } from 'mongoose';
import type { LogStream } from '../../domain/enums';
import { utf8Text } from '../../domain/utf8-text';
import { logChunksCollection } from '../hot-collections';
import { LogChunkModel } from '../models';
import { DUPLICATE_KEY } from './duplicate-key';

/** A chunk as the log service stores and reads it: `data` is always text here. */
export interface StoredChunk {
  jobId: Types.ObjectId | string;
  attempt: number;
  seq: number;
  stream: LogStream;
  data: string;
  /** `data` as UTF-8, when the caller has it already (it is what gets stored) */
  utf8?: Buffer;
  at: Date;
}

/** Seqs of this attempt already stored among `seqs`. */
export async function existingSeqs(jobId: Id, attempt: number, seqs: number[]): Promise<Set<number>> {
  if (seqs.length === 0) return new Set();
  const rows = await LogChunkModel.find({ jobId, attempt, seq: { $in: seqs } }).select({ seq: 1, _id: 0 }).lean().exec();
  return new Set(rows.map((r) => r.seq));
}

/**
 * Stores chunks; a chunk already stored (a resend, or a concurrent duplicate) is not an
 * error — the unique (jobId, attempt, seq) index keeps one. Returns the seqs that hit it.
 */
export async function insertChunks(chunks: StoredChunk[]): Promise<Set<number>> {
  const dup = new Set<number>();
  for (const i of await insertChunksAt(chunks)) dup.add(chunks[i].seq);
  return dup;
}

/**
 * `insertChunks` for chunks of several attempts in one write: returns the indexes (in `chunks`)
 * of those that hit the unique index.
 */
export async function insertChunksAt(chunks: StoredChunk[]): Promise<Set<number>> {
  const dup = new Set<number>();
  if (chunks.length === 0) return dup;
  try {
    // The driver's insertMany, not the model's: the log service builds the chunks fully typed,
    // and a mongoose document per 64 KiB chunk (cast, validate, hydrate) is pure cost on the
    // streaming path. The text goes in as UTF-8 bytes (BinData): as a BSON string the store
    // would decode and check every byte of it again; reads turn it back into text (textOf).
    await logChunksCollection().insertMany(
      chunks.map((c) => ({
        jobId: asObjectId(c.jobId),
        attempt: c.attempt,
        seq: c.seq,
        stream: c.stream,
        data: c.utf8 ?? Buffer.from(c.data, 'utf8'),
        at: c.at,
      })),
      { ordered: false },
    );
  } catch (err) {
    const writeErrors = duplicateOnly(err);
    if (!writeErrors) throw err;
    for (const index of writeErrors) if (index >= 0 && index < chunks.length) dup.add(index);
  }
  return dup;
}

/** The indexes of failed writes when every failure is a duplicate key; undefined otherwise. */
function duplicateOnly(err: unknown): number[] | undefined {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number; index?: number; err?: { code?: number; index?: number } }> };
  const list = e.writeErrors ?? [];
  if (list.length === 0) return e.code === DUPLICATE_KEY ? [] : undefined;
  const out: number[] = [];
  for (const w of list) {
    const code = w.code ?? w.err?.code;
    if (code !== DUPLICATE_KEY) return undefined;
    out.push(w.index ?? w.err?.index ?? -1);
  }
  return out;
}

/** Stored seqs of an attempt above `after`, ascending (for the acknowledgement). */
export async function seqsAbove(jobId: Id, attempt: number, after: number): Promise<number[]> {
  const rows = await LogChunkModel.find({ jobId, attempt, seq: { $gt: after } })
    .sort({ seq: 1 })
    .select({ seq: 1, _id: 0 })
    .lean()
    .exec();
  return rows.map((r) => r.seq);
}

export async function maxSeq(jobId: Id, attempt: number): Promise<number> {
  const row = await LogChunkModel.findOne({ jobId, attempt }).sort({ seq: -1 }).select({ seq: 1, _id: 0 }).lean().exec();
  return row?.seq ?? 0;
}

/** Chunks of one attempt after a seq, in order (Job.logs). */
export async function listChunks(jobId: Id, attempt: number, afterSeq: number, limit: number): Promise<StoredChunk[]> {
  return readChunks({ jobId: asObjectId(jobId), attempt, seq: { $gt: afterSeq } }, { seq: 1 }, limit);
}

/** Everything stored after a position, across attempts, in (attempt, seq) order (jobLogs replay). */
export async function chunksAfter(jobId: Id, attempt: number, seq: number, limit: number): Promise<StoredChunk[]> {
  return readChunks({ jobId: asObjectId(jobId), $or: [{ attempt, seq: { $gt: seq } }, { attempt: { $gt: attempt } }] }, { attempt: 1, seq: 1 }, limit);
}

/**
 * Reads stored chunks as text. Through the hot-path collection, as they were written: a replay
 * reads pages of up to hundreds of 64 KiB chunks (a subscriber that fell behind, a finished
 * log opened in the UI), and the filter needs no casting but the id's.
 */
async function readChunks(filter: Record<string, unknown>, sort: Record<string, 1>, limit: number): Promise<StoredChunk[]> {
  const rows = await logChunksCollection().find(filter, { sort, limit }).toArray();
  return (rows as unknown as StoredChunk[]).map(textOf);
}

/** A stored row with its data as text: BinData (UTF-8 bytes) since the bytes went in as such, a string in rows written before. */
function textOf(row: StoredChunk): StoredChunk {
  const data = row.data as unknown;
  if (typeof data === 'string') return row;
  // A BSON Binary, or its bytes where a driver option promotes them.
  const bytes = data instanceof Uint8Array ? data : (data as { value(): Uint8Array }).value();
  return { ...row, data: utf8Text(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) };
}
