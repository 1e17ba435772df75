import { randomBytes } from 'node:crypto';

/**
 * A JSON array whose text is built from pieces (one per element) and goes into the outgoing
 * message as bytes, spliced in where graphql-ws's JSON.stringify of the message put a token.
 *
 * Why: a log event can carry 2 Mi characters of text. JSON.stringify of the whole message builds
 * it from 16 KiB parts, and turning that string into the socket's bytes first flattens it, which
 * for a string of megabytes runs at a few hundred MB/s: together about twice the cost of
 * escaping each chunk on its own and writing the pieces into one buffer.
 *
 * How: `toJSON` (called by graphql-ws's JSON.stringify of the message) leaves a token and
 * remembers this value; the socket's `send` (text-frames.ts), which graphql-ws calls right after,
 * synchronously, finds the token in the small message and splices the pieces in. Only the last
 * value is remembered: nothing runs between the two calls.
 */
export class SplicedJsonArray {
  private lengths: number[] | undefined;

  constructor(private readonly pieces: readonly string[]) {}

  toJSON(): string {
    const token = `${TOKEN_PREFIX}${(counter = (counter + 1) % 0x7fffffff)}`;
    pending = { token, value: this };
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

/** Unguessable per process: a client-chosen operation id cannot contain it. */
const TOKEN_PREFIX = `__cmdx_splice_${randomBytes(8).toString('hex')}_`;
let counter = 0;
let pending: { token: string; value: SplicedJsonArray } | undefined;

/**
 * The UTF-8 bytes of `message` with the array whose token it holds spliced in; undefined when
 * it holds none (the message goes out as it is). Whatever was remembered is forgotten.
 */
export function spliceMessage(message: string): Buffer | undefined {
  const p = pending;
  if (!p) return undefined;
  // Taken by the first send after it, whichever: a value whose message was never sent (its
  // socket had closed) is not kept alive.
  pending = undefined;
  const quoted = `"${p.token}"`;
  const at = message.indexOf(quoted);
  if (at < 0) return undefined;
  const head = message.slice(0, at);
  const tail = message.slice(at + quoted.length);
  const buf = Buffer.allocUnsafeSlow(Buffer.byteLength(head, 'utf8') + p.value.byteLength + Buffer.byteLength(tail, 'utf8'));
  let off = buf.write(head, 0, 'utf8');
  off += p.value.writeTo(buf, off);
  buf.write(tail, off, 'utf8');
  return buf;
}
