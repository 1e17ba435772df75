/**
 * What `JSON.parse(JSON.stringify(value))` returns, without building the JSON text: strings are
 * immutable, so a 64 KiB log chunk is shared rather than escaped and parsed again. Same rules as
 * JSON.stringify: `toJSON(key)` first (Dates, ObjectIds, mongoose documents), boxed primitives
 * unwrapped, non-finite numbers → null, undefined/functions/symbols dropped from objects and
 * null in arrays, BigInt and cycles throw a TypeError.
 */
export function jsonClone(value: unknown): unknown {
  const out = cloneValue(value, '', new Set());
  return out === undefined ? null : out;
}

function cloneValue(value: unknown, key: string, stack: Set<object>): unknown {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as (k: string) => unknown).call(value, key);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null; // -0 → 0, as JSON
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      break;
    default:
      return undefined; // undefined, function, symbol
  }
  if (value === null) return null;
  if (value instanceof Number) return cloneValue(Number(value), key, stack);
  if (value instanceof String) return String(value);
  if (value instanceof Boolean) return value.valueOf();
  if (stack.has(value)) throw new TypeError('Converting circular structure to JSON');
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      const arr: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i += 1) {
        const v = cloneValue(value[i], String(i), stack);
        arr[i] = v === undefined ? null : v;
      }
      return arr;
    }
    const obj: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = cloneValue((value as Record<string, unknown>)[k], k, stack);
      if (v !== undefined) obj[k] = v;
    }
    return obj;
  } finally {
    stack.delete(value);
  }
}
