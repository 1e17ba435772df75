import { calculateObjectSize, Long } from 'bson';
import { fail } from '../errors';
import type { Doc } from '../storage/value.key';

/** Stay under the 16 MiB reply limit with room for the envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
const DEFAULT_FIRST_BATCH = 101;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_OPEN_CURSORS = 10_000;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
}

/**
 * Server-side cursors over materialised results. Ids are positive int64 (`Long`), as drivers
 * expect; id 0 means exhausted. Idle cursors expire like mongod's (10 minutes).
 */
export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();
  private nextId = 1 + Math.floor(Math.random() * 1_000_000);
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.expireIdle(), 60_000);
    this.sweeper.unref();
  }

  /** The `cursor` document of a find/aggregate/listX reply, registering the rest. */
  open(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): Doc {
    const cursor: OpenCursor = { ns, docs, pos: 0, lastUsed: Date.now() };
    const firstBatch = this.take(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.pos < docs.length) {
      if (this.cursors.size >= MAX_OPEN_CURSORS) this.evictOldest();
      id = this.nextId++;
      this.cursors.set(id, cursor);
    }
    return { firstBatch, id: Long.fromNumber(id), ns };
  }

  getMore(id: number, ns: string, batchSize: number | undefined): Doc {
    const cursor = this.cursors.get(id);
    if (!cursor || cursor.ns !== ns) throw fail('CursorNotFound', `cursor id ${id} not found`);
    cursor.lastUsed = Date.now();
    const nextBatch = this.take(cursor, batchSize && batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER);
    const done = cursor.pos >= cursor.docs.length;
    if (done) this.cursors.delete(id);
    return { nextBatch, id: Long.fromNumber(done ? 0 : id), ns };
  }

  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) (this.cursors.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.cursors.clear();
  }

  private take(cursor: OpenCursor, batchSize: number): Doc[] {
    const out: Doc[] = [];
    let bytes = 0;
    while (cursor.pos < cursor.docs.length && out.length < batchSize) {
      const doc = cursor.docs[cursor.pos];
      const size = calculateObjectSize(doc);
      if (out.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      out.push(doc);
      cursor.pos++;
    }
    return out;
  }

  private expireIdle(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, c] of this.cursors) if (c.lastUsed < cutoff) this.cursors.delete(id);
  }

  private evictOldest(): void {
    const oldest = this.cursors.keys().next();
    if (!oldest.done) this.cursors.delete(oldest.value);
  }
}
