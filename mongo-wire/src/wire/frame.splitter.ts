import { HEADER_SIZE } from './message.codec';

/** mongod's limit (48 MB); a frame claiming more cannot be served and the stream cannot be resynchronised. */
export const MAX_MESSAGE_BYTES = 48_000_000;

export type SplitResult =
  | { kind: 'frame'; frame: Buffer }
  | { kind: 'bad-length'; messageLength: number; requestID: number }
  | null;

/**
 * Cuts a TCP byte stream into wire-protocol frames by their int32 length prefix. Partial frames
 * wait for more bytes; a length outside [16, 48 MB] is reported once, after which the stream is
 * unusable.
 */
export class FrameSplitter {
  // Chunks are kept apart until a whole frame is there: concatenating on every chunk would copy
  // a 48 MB message hundreds of times.
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  get pendingBytes(): number {
    return this.length;
  }

  next(): SplitResult {
    if (this.length < 4) return null;
    const head = this.peek(8);
    const messageLength = head.readInt32LE(0);
    if (messageLength < HEADER_SIZE || messageLength > MAX_MESSAGE_BYTES) {
      const requestID = head.length >= 8 ? head.readInt32LE(4) : 0;
      this.chunks = [];
      this.length = 0;
      return { kind: 'bad-length', messageLength, requestID };
    }
    if (this.length < messageLength) return null;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    const frame = all.subarray(0, messageLength);
    const rest = all.subarray(messageLength);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return { kind: 'frame', frame };
  }

  /** Up to `n` leading bytes, joining only the chunks needed. */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n || this.chunks.length === 1) return this.chunks[0];
    const parts: Buffer[] = [];
    let got = 0;
    for (const c of this.chunks) {
      parts.push(c);
      got += c.length;
      if (got >= n) break;
    }
    return Buffer.concat(parts);
  }
}
