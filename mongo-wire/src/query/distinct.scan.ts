import type { CollectionStore } from '../storage/collection.store';
import type { IndexStore } from '../storage/index.store';
import type { Pos } from '../storage/ordered.keys';
import { type Doc, isPlainObject } from '../storage/value.key';
import { isOrderedScalar } from './sort.order';

/**
 * `distinct` by skipping through an index, as mongod's DISTINCT_SCAN does: when the filter pins
 * an index's leading fields by plain equality (one value each, nothing else) and the distinct
 * field comes right after them, each value costs one probe past its entries, not a visit of
 * every document that has it. "The kinds of job queued" reads a handful of keys, however long
 * the queue. Null when no index fits: the caller scans.
 */
export function distinctScan(coll: CollectionStore, filter: Doc | undefined, field: string): unknown[] | null {
  const pinned = equalities(filter ?? {});
  if (!pinned) return null;
  for (const index of coll.indexes.values()) {
    const k = pinned.size;
    if (!index.walkable || index.fields.length <= k || index.fields[k] !== field) continue;
    if (!index.fields.slice(0, k).every((f) => pinned.has(f))) continue;
    return skipScan(index, index.fields.slice(0, k).map((f) => pinned.get(f)));
  }
  return null;
}

/** Field → value when every condition is a plain equality on a scalar (`{f: v}` or `{f: {$eq: v}}`); else null. */
function equalities(filter: Doc): Map<string, unknown> | null {
  const out = new Map<string, unknown>();
  for (const [field, cond] of Object.entries(filter)) {
    if (field.startsWith('$')) return null;
    const v = isPlainObject(cond) && Object.keys(cond).length === 1 && '$eq' in cond ? cond.$eq : cond;
    if (!isOrderedScalar(v)) return null;
    out.set(field, v);
  }
  return out;
}

function skipScan(index: IndexStore, prefix: unknown[]): unknown[] {
  const { ordered } = index;
  const k = prefix.length;
  const end = ordered.after({ vals: prefix, tail: 1 });
  const out: unknown[] = [];
  for (let pos = ordered.after({ vals: prefix, tail: -1 }); ordered.distance(pos, end) > 0; ) {
    const v = firstAt(index, pos, end).vals[k];
    const past = ordered.after({ vals: [...prefix, v], tail: 1 });
    if (v === null || v === undefined) {
      // Missing and null share the index's lowest bracket; only a stored null is a value of its own.
      for (const e of ordered.between(pos, past)) {
        if (e.vals[k] === null) {
          out.push(null);
          break;
        }
      }
    } else out.push(v);
    pos = past;
  }
  return out;
}

function firstAt(index: IndexStore, pos: Pos, end: Pos) {
  const next = index.ordered.between(pos, end).next();
  if (next.done) throw new Error('distinct scan: no entry before the end');
  return next.value;
}
