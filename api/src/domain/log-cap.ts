/**
 * The per-job log cap, as pure arithmetic over byte offsets. Output bytes are numbered from 0
 * across the whole job; bytes at offsets ≥ cap are dropped. Exactly one chunk in a job's life
 * contains offset `cap` (ranges partition the stream), and that chunk is replaced by the one
 * SYSTEM line saying the log was truncated.
 */

export interface SizedChunk {
  seq: number;
  bytes: number;
}

export type CapDecision<T extends SizedChunk> =
  | { kind: 'keep'; chunk: T }
  | { kind: 'truncate'; chunk: T }
  | { kind: 'drop'; chunk: T };

/**
 * Decide each chunk of a batch whose bytes were reserved as one range starting at
 * `startOffset` (chunks in the order they were counted).
 */
export function applyLogCap<T extends SizedChunk>(chunks: readonly T[], startOffset: number, cap: number): CapDecision<T>[] {
  let offset = startOffset;
  return chunks.map((chunk) => {
    const start = offset;
    const end = start + chunk.bytes;
    offset = end;
    if (end <= cap) return { kind: 'keep', chunk };
    if (start <= cap && cap < end) return { kind: 'truncate', chunk };
    return { kind: 'drop', chunk };
  });
}

export function truncationNotice(cap: number): string {
  const mib = cap / (1024 * 1024);
  const size = Number.isInteger(mib) ? `${mib} MiB` : `${cap} bytes`;
  return `[log truncated: the job's output passed the ${size} limit; further output is dropped]\n`;
}

/** Highest seq with every seq from 1 up to it present. */
export function contiguousUpTo(start: number, seqs: Iterable<number>): number {
  const set = new Set(seqs);
  let acked = start;
  while (set.has(acked + 1)) acked += 1;
  return acked;
}
