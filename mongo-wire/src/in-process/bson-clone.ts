import { Binary, BSON, ObjectId } from 'bson';
import { isPlainObject, type Doc } from '../storage/value.key';

/**
 * Copies that stand in for a BSON round trip, for commands run in the server's own process.
 * Over a socket, what a client sends and what it gets back are always new values, decoded
 * from bytes: a client may change its objects after a write, and change what a read gave it,
 * without touching the store (whose documents are shared with cursors and replies, never
 * changed in place). The copies keep that, and give the values the types decoding would.
 *
 * The common values (plain objects, arrays, strings, numbers, booleans, null, Dates,
 * ObjectIds, bytes) are copied here; anything else takes a real BSON round trip, so its
 * result is whatever the wire would have made of it.
 */

/** As the server decodes commands (wire/message.codec.ts). */
const DECODE_IN = { promoteLongs: true, promoteValues: true, promoteBuffers: false } as const;
/** As the Node.js driver decodes replies by default. */
const DECODE_OUT = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false } as const;

/**
 * A command as the server would decode it from what the driver sends: `undefined` becomes
 * null (the driver's default, `ignoreUndefined: false`), functions are left out, bytes become
 * a Binary, a value with `toBSON()` is replaced by what that returns.
 */
export function cloneIn(obj: Record<string, unknown>): Doc {
  const out: Doc = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v === 'function') continue;
    out[key] = valueIn(v);
  }
  return out;
}

function valueIn(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'number':
      return v;
    case 'undefined':
      return null;
    case 'function':
      return null; // in an array (in a document the key is left out)
    case 'object':
      break;
    default:
      return roundTrip(v, DECODE_IN);
  }
  if (v === null) return null;
  const withToBson = v as { toBSON?: () => unknown; _bsontype?: unknown };
  if (typeof withToBson.toBSON === 'function' && withToBson._bsontype === undefined) return valueIn(withToBson.toBSON());
  if (Array.isArray(v)) return v.map((e) => valueIn(e));
  if (isPlainObject(v)) return cloneIn(v);
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof ObjectId) return v; // never changed in place; shared as a decoded one would be equal
  if (withToBson._bsontype === 'ObjectId') return new ObjectId((v as { id: Uint8Array }).id);
  if (v instanceof Uint8Array) return new Binary(copyBytes(v), Binary.SUBTYPE_DEFAULT);
  if (v instanceof Binary) return new Binary(copyBytes(v.value()), v.sub_type);
  return roundTrip(v, DECODE_IN);
}

/**
 * A reply as the driver would decode it: every document and array a new one, so the caller
 * may change it freely. The stored values are already of decoded types (they came in decoded),
 * so only containers, Dates and bytes need new copies; `undefined` (which the server's encoder
 * leaves out) is left out.
 */
export function cloneOut(obj: Record<string, unknown>): Doc {
  const out: Doc = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v !== undefined) out[key] = valueOut(v);
  }
  return out;
}

function valueOut(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((e) => (e === undefined ? null : valueOut(e)));
  if (isPlainObject(v)) return cloneOut(v);
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof ObjectId) return v;
  if (v instanceof Binary) return new Binary(copyBytes(v.value()), v.sub_type);
  return roundTrip(v, DECODE_OUT);
}

/** A copy of the bytes (a Buffer's own `slice` would be a view of them). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}

function roundTrip(v: unknown, options: typeof DECODE_IN | typeof DECODE_OUT): unknown {
  const decoded = BSON.deserialize(BSON.serialize({ v }, { ignoreUndefined: false }), options) as { v?: unknown };
  return 'v' in decoded ? decoded.v : null;
}
