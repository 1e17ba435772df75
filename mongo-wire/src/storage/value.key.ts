import { Binary, Decimal128, EJSON, Long, ObjectId, Timestamp } from 'bson';

/**
 * Canonical string keys for BSON values, so that hash maps (the `_id` map and index maps)
 * agree with MongoDB equality: 1, 1.0 and NumberLong(1) are one key; two ObjectIds with the
 * same bytes are one key; a missing field and `null` are one key (as in a MongoDB index).
 */
export type Doc = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * bson 7 holds an ObjectId as four 24-bit big-endian integers (`i0`…`i3`), and its `id` getter
 * builds a new 12-byte buffer on every read, its `toHexString` a new string: index upkeep
 * compares and keys ObjectIds many times per write, so both read the integers when they are there.
 */
interface ObjectIdInts {
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

function intsOf(v: ObjectId): ObjectIdInts | undefined {
  const x = v as unknown as Partial<ObjectIdInts>;
  return typeof x.i0 === 'number' && typeof x.i1 === 'number' && typeof x.i2 === 'number' && typeof x.i3 === 'number' ? (x as ObjectIdInts) : undefined;
}

/** Byte order of two ObjectIds (negative, 0, positive). */
export function compareObjectIds(a: ObjectId, b: ObjectId): number {
  const x = intsOf(a);
  const y = intsOf(b);
  if (x && y) return x.i0 - y.i0 || x.i1 - y.i1 || x.i2 - y.i2 || x.i3 - y.i3;
  const xb = a.id;
  const yb = b.id;
  for (let i = 0; i < 12; i++) if (xb[i] !== yb[i]) return xb[i] - yb[i];
  return 0;
}

/** An ObjectId's 12 bytes as six UTF-16 units: one key per id, in byte order, built in one call. */
function objectIdKey(v: ObjectId): string {
  const x = intsOf(v);
  if (!x) return v.toHexString();
  return String.fromCharCode(x.i0 >>> 8, ((x.i0 & 0xff) << 8) | (x.i1 >>> 16), x.i1 & 0xffff, x.i2 >>> 8, ((x.i2 & 0xff) << 8) | (x.i3 >>> 16), x.i3 & 0xffff);
}

/** Key of one value (not traversing arrays: an array gets one key for the whole array). */
export function valueKey(v: unknown): string {
  if (v === null || v === undefined) return 'z';
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
      return 'n' + (v === 0 ? 0 : v);
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'bigint':
      return 'n' + (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
    default:
      break;
  }
  if (v instanceof ObjectId) return 'o' + objectIdKey(v);
  if (v instanceof Date) return 't' + v.getTime();
  if (v instanceof Long) return 'n' + (v.lessThanOrEqual(Long.fromNumber(Number.MAX_SAFE_INTEGER)) && v.greaterThanOrEqual(Long.fromNumber(Number.MIN_SAFE_INTEGER)) ? v.toNumber() : v.toString());
  if (v instanceof Decimal128) {
    const n = Number(v.toString());
    return Number.isFinite(n) && String(n) === v.toString() ? 'n' + n : 'D' + v.toString();
  }
  if (v instanceof Timestamp) return 'T' + v.toString();
  if (v instanceof Binary) return 'B' + v.sub_type + ':' + Buffer.from(v.buffer).toString('base64');
  if (v instanceof RegExp) return 'r' + v.source + '/' + v.flags;
  if (Array.isArray(v)) return 'a' + v.map(valueKey).join('\u0001');
  if (isPlainObject(v)) {
    let out = '{';
    for (const k of Object.keys(v)) out += k + '\u0002' + valueKey(v[k]) + '\u0001';
    return out + '}';
  }
  // Other BSON types (Code, MinKey, ...): EJSON is canonical enough for equality.
  return 'x' + EJSON.stringify(v as Doc, { relaxed: false });
}

/**
 * Every value a dotted path reaches in a document, with MongoDB's array traversal: arrays
 * along the path fan out, an array at the end yields its elements (multikey). A path that
 * reaches nothing yields `[undefined]`.
 */
export function pathValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length === 0 ? [undefined] : out;
}

function collect(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(undefined);
      else for (const e of v) out.push(e);
    } else out.push(v);
    return;
  }
  if (Array.isArray(v)) {
    const part = parts[i];
    if (/^\d+$/.test(part)) {
      collect(v[Number(part)], parts, i + 1, out);
      return;
    }
    // An array of subdocuments: the path continues inside each element.
    for (const e of v) if (isPlainObject(e)) collect(e[part], parts, i + 1, out);
    return;
  }
  if (isPlainObject(v)) {
    collect(v[parts[i]], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

/**
 * Deep copy of a document. BSON value classes are immutable and shared; Dates are copied.
 * `structuredClone` would drop the ObjectId prototype, hence this.
 */
export function cloneDoc<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) out[k] = cloneDoc(v[k]);
    return out as T;
  }
  return v;
}
