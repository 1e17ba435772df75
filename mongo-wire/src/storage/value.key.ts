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
  if (v instanceof ObjectId) return 'o' + v.toHexString();
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
