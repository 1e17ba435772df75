/**
 * Cuts a sequence of (stream, text) writes into chunks: one stream per chunk, chunks in
 * arrival order, each at most `maxBytes` of UTF-8 and never splitting a character.
 * Pure: the caller decides when time is up (`flush`) and numbers the chunks.
 */
export type OutputStream = 'STDOUT' | 'STDERR' | 'SYSTEM';

export interface RawChunk {
  stream: OutputStream;
  data: string;
  /** when the first byte of the chunk arrived (ms since epoch) */
  at: number;
  /** UTF-8 length of data */
  bytes: number;
}

export const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024;

export class Chunker {
  private stream: OutputStream | undefined;
  private parts: string[] = [];
  private bytes = 0;
  private at = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_CHUNK_BYTES) {}

  /** Adds text; returns the chunks this closed (a stream switch or a full chunk). */
  push(stream: OutputStream, text: string, now: number): RawChunk[] {
    const closed: RawChunk[] = [];
    if (text.length === 0) return closed;
    if (this.stream !== undefined && this.stream !== stream) this.close(closed);
    let rest = text;
    let restBytes = Buffer.byteLength(rest);
    while (restBytes > 0) {
      if (this.stream === undefined) {
        this.stream = stream;
        this.at = now;
      }
      const room = this.maxBytes - this.bytes;
      if (restBytes <= room) {
        this.parts.push(rest);
        this.bytes += restBytes;
        if (this.bytes === this.maxBytes) this.close(closed);
        break;
      }
      const cut = cutIndex(rest, room);
      const head = rest.slice(0, cut);
      const headBytes = Buffer.byteLength(head);
      if (headBytes > 0) {
        this.parts.push(head);
        this.bytes += headBytes;
      }
      this.close(closed);
      rest = rest.slice(cut);
      restBytes -= headBytes;
    }
    return closed;
  }

  /** Closes the open chunk, if any. */
  flush(): RawChunk[] {
    const closed: RawChunk[] = [];
    this.close(closed);
    return closed;
  }

  /** UTF-8 bytes held in the open chunk */
  get pendingBytes(): number {
    return this.bytes;
  }

  get hasPending(): boolean {
    return this.stream !== undefined;
  }

  /** arrival time of the open chunk's first byte */
  get pendingSince(): number | undefined {
    return this.stream === undefined ? undefined : this.at;
  }

  private close(into: RawChunk[]): void {
    if (this.stream === undefined) return;
    if (this.bytes > 0) into.push({ stream: this.stream, data: this.parts.join(''), at: this.at, bytes: this.bytes });
    this.stream = undefined;
    this.parts = [];
    this.bytes = 0;
  }
}

/**
 * Largest index i such that text.slice(0, i) is at most `maxBytes` of UTF-8 and does not
 * end inside a surrogate pair.
 */
export function cutIndex(text: string, maxBytes: number): number {
  if (maxBytes <= 0) return 0;
  // A UTF-16 code unit is 1..3 UTF-8 bytes (a surrogate pair is 4 for 2 units), so
  // `maxBytes` units is an upper bound; shrink until it fits.
  let i = Math.min(text.length, maxBytes);
  let bytes = Buffer.byteLength(text.slice(0, i));
  while (bytes > maxBytes) {
    const next = Math.max(Math.floor((i * maxBytes) / bytes), i - 1);
    i = next < i ? next : i - 1;
    bytes = Buffer.byteLength(text.slice(0, i));
  }
  if (i > 0 && i < text.length && isHighSurrogate(text.charCodeAt(i - 1))) i -= 1;
  return i;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
