import { attemptKey } from '../domain/attempt-key';

/**
 * What one replica knows is stored of one attempt's log: every seq ≤ `acked` (gap-free), and
 * the seqs above it that this replica stored itself (`above`: batches that overtook one still
 * in flight).
 */
export interface AckCursor {
  acked: number;
  above: Set<number>;
}

export interface AckCursorLimits {
  /** attempts whose cursor one replica keeps (the oldest goes first) */
  maxCursors: number;
  /** stored seqs above a gap one cursor keeps (past it the cursor is dropped) */
  maxAbove: number;
}

const DEFAULT_LIMITS: AckCursorLimits = { maxCursors: 10_000, maxAbove: 20_000 };

/**
 * The log service's acknowledgement cursors, per attempt. Never ahead of the store, so a stale
 * or missing entry only costs the caller a lookup, and an acknowledgement computed from a
 * cursor is a true lower bound. Bounded both ways: an entry only saves a lookup, it is never
 * needed for correctness.
 */
export class AckCursorCache {
  private readonly cursors = new Map<string, AckCursor>();
  private readonly limits: AckCursorLimits;

  constructor(limits: Partial<AckCursorLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get size(): number {
    return this.cursors.size;
  }

  /** The attempt's cursor (the same object until it is replaced or dropped), or undefined. */
  get(jobId: unknown, attempt: number): AckCursor | undefined {
    return this.cursors.get(attemptKey(jobId, attempt));
  }

  /** A new attempt started here: nothing of it is stored yet (keeps a cursor already there). */
  begin(jobId: unknown, attempt: number): void {
    const key = attemptKey(jobId, attempt);
    if (!this.cursors.has(key)) this.cursors.set(key, { acked: 0, above: new Set() });
  }

  /** The attempt is over: its cursor is no longer needed. */
  forget(jobId: unknown, attempt: number): void {
    this.cursors.delete(attemptKey(jobId, attempt));
  }

  /**
   * Records that every seq ≤ `ackedSeq` and each of `storedAbove` is stored. Only ever raises
   * what is known, and keeps the cursor object, so a caller holding it can tell whether another
   * call replaced it meanwhile. Seqs that close the gap move `acked` forward; a gap that never fills (its batch went to another replica)
   * drops the cursor once `above` grows past its bound.
   */
  remember(jobId: unknown, attempt: number, ackedSeq: number, storedAbove: Iterable<number>): void {
    const key = attemptKey(jobId, attempt);
    let cursor = this.cursors.get(key);
    if (!cursor) {
      if (this.cursors.size >= this.limits.maxCursors) {
        const oldest = this.cursors.keys().next().value;
        if (oldest !== undefined) this.cursors.delete(oldest);
      }
      cursor = { acked: 0, above: new Set() };
      this.cursors.set(key, cursor);
    }
    cursor.acked = Math.max(cursor.acked, ackedSeq);
    for (const seq of storedAbove) if (seq > cursor.acked) cursor.above.add(seq);
    while (cursor.above.delete(cursor.acked + 1)) cursor.acked += 1;
    for (const seq of cursor.above) if (seq <= cursor.acked) cursor.above.delete(seq);
    if (cursor.above.size > this.limits.maxAbove) this.cursors.delete(key);
  }
}
