import { randomBytes } from 'node:crypto';

/**
 * A JSON value whose text is written into the outgoing message as bytes, from parts, spliced
 * in where graphql-ws's JSON.stringify of the message put a token.
 *
 * Why: a log event or a worker's log batch can carry 2 Mi characters of text. JSON.stringify
 * of the whole message builds it from 16 KiB parts, and turning that string into the socket's
 * bytes first flattens it, which for a string of megabytes runs at a few hundred MB/s: together
 * about twice the cost of escaping each chunk on its own and writing the pieces into one buffer.
 *
 * How: `toJSON` (called by graphql-ws's JSON.stringify of the message) leaves a token and
 * remembers this value; the socket's `send` (through textFrameBytes), which graphql-ws calls
 * right after, synchronously, finds the token in the small message, asks for the parts and
 * writes them in.
 * Only the last value is remembered: nothing runs between the two calls. The parts are made
 * then and dropped once written, so a caller holding the value (until the answer comes) holds
 * only what it was built from, not a second copy of the text as strings.
 */
export class SplicedJson {
  /** `parts()` gives the value's JSON text as strings written one after another. */
  constructor(private readonly parts: () => readonly string[]) {}

  toJSON(): string {
    const token = `${TOKEN_PREFIX}${(counter = (counter + 1) % 0x7fffffff)}`;
    pending = { token, value: this };
    return token;
  }

  /** The parts and their UTF-8 lengths, made now. */
  measure(): { parts: readonly string[]; lengths: number[]; byteLength: number } {
    const parts = this.parts();
    const lengths = parts.map((p) => Buffer.byteLength(p, 'utf8'));
    let byteLength = 0;
    for (const l of lengths) byteLength += l;
    return { parts, lengths, byteLength };
  }
}

/** A JSON array of the given elements' JSON texts (each one string, or parts written one after another). */
export function splicedJsonArray(elements: ReadonlyArray<string | readonly string[]>): SplicedJson {
  return new SplicedJson(() => {
    const parts = ['['];
    for (let i = 0; i < elements.length; i += 1) {
      if (i > 0) parts.push(',');
      const e = elements[i];
      if (typeof e === 'string') parts.push(e);
      else for (const p of e) parts.push(p);
    }
    parts.push(']');
    return parts;
  });
}

/** Unguessable per process: a client-chosen operation id cannot contain it. */
const TOKEN_PREFIX = `__cmdx_splice_${randomBytes(8).toString('hex')}_`;
let counter = 0;
let pending: { token: string; value: SplicedJson } | undefined;

/**
 * The UTF-8 bytes of `message` with the value whose token it holds spliced in; undefined when
 * it holds none (the message goes out as it is). Whatever was remembered is forgotten.
 *
 * The buffer is sized exactly: one sized for the worst case (3 bytes per UTF-16 unit) counts as
 * that much external memory, and V8 then runs a full collection every few messages.
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
  const { parts, lengths, byteLength } = p.value.measure();
  const buf = Buffer.allocUnsafeSlow(Buffer.byteLength(head, 'utf8') + byteLength + Buffer.byteLength(tail, 'utf8'));
  let off = buf.write(head, 0, 'utf8');
  for (let i = 0; i < parts.length; i += 1) off += buf.write(parts[i], off, lengths[i], 'utf8');
  buf.write(tail, off, 'utf8');
  return buf;
}
