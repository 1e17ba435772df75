/**
 * Where a follower stands in a job's output: seq numbers restart at 1 for every attempt, so the
 * position is (attempt, seq). A chunk at or before it was already delivered (a replay after a
 * reconnect, or the same chunk from the live stream and the final catch-up): it is dropped.
 */
export interface ChunkRef {
  attempt: number;
  seq: number;
}

export class LogPosition {
  constructor(
    public attempt: number,
    public seq = 0,
  ) {}

  /** True, and the position moves, when the chunk is new; false for one already delivered. */
  advance(chunk: ChunkRef): boolean {
    if (chunk.attempt < this.attempt) return false;
    if (chunk.attempt === this.attempt && chunk.seq <= this.seq) return false;
    this.attempt = chunk.attempt;
    this.seq = chunk.seq;
    return true;
  }
}
