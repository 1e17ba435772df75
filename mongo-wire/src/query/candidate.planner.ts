import type { CollectionStore } from '../storage/collection.store';
import { type Doc, isPlainObject, valueKey } from '../storage/value.key';

/**
 * Narrows a filter to candidate documents using the `_id` map and the index hash maps, so
 * equality and `$in` lookups on indexed fields never scan the collection. The result is a
 * superset of the matches: callers still test every candidate against the full filter.
 */
export function candidateDocs(coll: CollectionStore, filter: Doc | undefined): Doc[] {
  const ids = candidateIds(coll, filter);
  return ids === null ? [...coll.docs.values()] : pick(coll, ids);
}

/** The `_id` keys `candidateDocs` would return, or null for the whole collection. */
export function candidateIds(coll: CollectionStore, filter: Doc | undefined): ReadonlySet<string> | readonly string[] | null {
  const eq = equalityKeys(filter ?? {});
  const idKeys = eq.get('_id');
  if (idKeys) return idKeys;

  let best: Set<string> | null = null;
  for (const index of coll.indexes.values()) {
    if (!index.usableForLookup) continue;
    const first = eq.get(index.fields[0]);
    if (!first) continue;
    const all = index.fields.map((f) => eq.get(f));
    const ids = all.every((k) => k !== undefined) ? index.lookupFull(all as string[][]) : index.lookupPrefix(first);
    if (best === null || ids.size < best.size) best = ids;
    if (best.size === 0) break;
  }
  return best;
}

function pick(coll: CollectionStore, idKeys: Iterable<string>): Doc[] {
  const out: Doc[] = [];
  for (const k of idKeys) {
    const doc = coll.docs.get(k);
    if (doc) out.push(doc);
  }
  return out;
}

/**
 * Field → encoded keys that a matching document must have one of. Only values whose index
 * key is unambiguous qualify (no null, regex, array or subdocument, which have extra
 * matching rules).
 */
export function equalityKeys(filter: Doc): Map<string, string[]> {
  const out = new Map<string, string[]>();
  collect(filter, out);
  return out;
}

function collect(filter: Doc, out: Map<string, string[]>): void {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const part of cond) if (isPlainObject(part)) collect(part, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    const keys = condKeys(cond);
    if (!keys) continue;
    const prev = out.get(field);
    if (!prev || keys.length < prev.length) out.set(field, keys);
  }
}

function condKeys(cond: unknown): string[] | null {
  if (isPlainObject(cond)) {
    const ops = Object.keys(cond);
    if (ops.length === 0 || !ops.every((o) => o.startsWith('$'))) return null;
    if ('$eq' in cond) return scalarKey(cond.$eq);
    if (Array.isArray(cond.$in)) {
      const keys: string[] = [];
      for (const v of cond.$in) {
        const k = scalarKey(v);
        if (!k) return null;
        keys.push(...k);
      }
      return keys;
    }
    return null;
  }
  return scalarKey(cond);
}

function scalarKey(v: unknown): string[] | null {
  if (v === null || v === undefined || v instanceof RegExp || Array.isArray(v) || isPlainObject(v)) return null;
  if (typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'BSONRegExp') return null;
  return [valueKey(v)];
}
