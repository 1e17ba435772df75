import { randomBytes } from 'node:crypto';

/**
 * A JSON array whose text is built from pieces (one per element) and goes into the outgoing
 * message as bytes, spliced in where graphql-ws's JSON.stringify of the message put a token
 * (the API's transport/ws/spliced-json.ts does the same for log events).
 *
 * Why: an appendLogsBatch message carries up to 2 MiB of log text. JSON.stringify of the whole
 * message builds it from 16 KiB parts, and turning that string into the socket's bytes first
 * flattens it, which for a string of megabytes runs at a few hundred MB/s: together about twice
 * the cost of escaping each chunk on its own and writing the pieces into one buffer.
 *
 * How: `toJSON` (called by graphql-ws's JSON.stringify of the message) leaves a token and
 * remembers this value; the socket's `send` (SplicingWebSocket), which graphql-ws calls right
 * after, synchronously, finds the tokens in the message and splices the pieces in. Nothing runs
 * between the two calls, so what is remembered is for that message alone.
 */
export class SplicedJsonArray {
  private lengths: number[] | undefined;

  constructor(private readonly pieces: readonly string[]) {}

  toJSON(): string {
    const token = `${TOKEN_PREFIX}${(counter = (counter + 1) % 0x7fffffff)}`;
    pending.push({ token, value: this });
    return token;
  }

  /**
   * The array's UTF-8 length, exactly: a buffer sized for the worst case (3 bytes per UTF-16
   * unit) counts as that much external memory, and V8 then runs a full collection every few
   * messages.
   */
  get byteLength(): number {
    let n = 2 + Math.max(0, this.pieces.length - 1);
    for (const l of this.pieceLengths()) n += l;
    return n;
  }

  private pieceLengths(): number[] {
    this.lengths ??= this.pieces.map((p) => Buffer.byteLength(p, 'utf8'));
    return this.lengths;
  }

  /** Writes the array's JSON at `offset`; returns the bytes written. */
  writeTo(buf: Buffer, offset: number): number {
    const lengths = this.pieceLengths();
    let at = offset;
    at += buf.write('[', at, 'latin1');
    for (let i = 0; i < this.pieces.length; i += 1) {
      if (i > 0) at += buf.write(',', at, 'latin1');
      at += buf.write(this.pieces[i], at, lengths[i], 'utf8');
    }
    at += buf.write(']', at, 'latin1');
    return at - offset;
  }
}

/** Unguessable per process: no log text or id contains it by chance. */
const TOKEN_PREFIX = `__cmdx_splice_${randomBytes(8).toString('hex')}_`;
let counter = 0;
let pending: Array<{ token: string; value: SplicedJsonArray }> = [];

/**
 * The UTF-8 bytes of `message` with the arrays whose tokens it holds spliced in; undefined when
 * it holds none (the message goes out as it is). Whatever was remembered is forgotten.
 */
export function spliceMessage(message: string): Buffer | undefined {
  if (pending.length === 0) return undefined;
  const taken = pending;
  pending = [];
  const found: Array<{ at: number; end: number; value: SplicedJsonArray }> = [];
  for (const p of taken) {
    const quoted = `"${p.token}"`;
    const at = message.indexOf(quoted);
    if (at >= 0) found.push({ at, end: at + quoted.length, value: p.value });
  }
  if (found.length === 0) return undefined;
  found.sort((a, b) => a.at - b.at);
  const texts: string[] = [];
  let from = 0;
  for (const f of found) {
    texts.push(message.slice(from, f.at));
    from = f.end;
  }
  texts.push(message.slice(from));
  let size = 0;
  for (const t of texts) size += Buffer.byteLength(t, 'utf8');
  for (const f of found) size += f.value.byteLength;
  const buf = Buffer.allocUnsafeSlow(size);
  let off = 0;
  for (const [i, f] of found.entries()) {
    off += buf.write(texts[i], off, 'utf8');
    off += f.value.writeTo(buf, off);
  }
  buf.write(texts[texts.length - 1], off, 'utf8');
  return buf;
}
