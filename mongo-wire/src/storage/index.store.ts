import { ObjectId } from 'bson';
import { Query } from 'mingo';
import { fail, MongoCommandError } from '../errors';
import { OrderedKeys } from './ordered.keys';
import { type Doc, isPlainObject, pathValues, valueKey } from './value.key';

/** An index as `createIndexes`/`listIndexes` describe it. */
export interface IndexSpec {
  v?: number;
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

export interface IndexEntry {
  /** Joined keys of every field, the hash-map key. */
  key: string;
  /** The field values behind it (for `keyValue` in duplicate-key errors). */
  values: unknown[];
  /** The first field's key alone (a compound index's prefix map). */
  first: string;
}

const SEP = '\u0000';
/** Parallel arrays are refused by mongod; this bounds what a compound multikey entry may fan out to. */
const MAX_ENTRIES_PER_DOC = 10_000;

/**
 * One secondary index: a hash map from index key to the ids of the documents that have it
 * (equality, `$in`, uniqueness), plus the same entries in key order (sorts and ranges, see
 * query/ordered.planner.ts).
 */
export class IndexStore {
  readonly fields: string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  private readonly partial: Query | null;
  /** Full compound key → ids. */
  private readonly full: KeyHolders = new Map();
  /** First field only → ids; lets an equality on a compound index's prefix use it. */
  private readonly prefix: KeyHolders | null;
  /** Every entry in key order. */
  readonly ordered: OrderedKeys;
  private multikeyFlag = false;
  private readonly paths: string[][];

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    if (this.fields.length === 0) throw fail('BadValue', 'Index keys cannot be empty.');
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    if (spec.partialFilterExpression !== undefined && !isPlainObject(spec.partialFilterExpression)) {
      throw fail('BadValue', 'partialFilterExpression must be an object');
    }
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : null;
    this.prefix = this.fields.length > 1 ? new Map() : null;
    this.ordered = new OrderedKeys(this.fields.map((f) => (Number(spec.key[f]) < 0 ? -1 : 1)));
  }

  /** Index directions, 1 or -1 per field (non-numeric kinds such as 'hashed' count as 1). */
  get directions(): Array<1 | -1> {
    return this.fields.map((f) => (Number(this.spec.key[f]) < 0 ? -1 : 1));
  }

  /**
   * Whether walking `ordered` yields every document once, in MongoDB's sort order for these
   * fields: no document left out (sparse/partial), none with several entries or an array key
   * (multikey: sort keys of arrays follow other rules). Once multikey, always multikey.
   */
  get walkable(): boolean {
    return this.partial === null && !this.sparse && !this.multikeyFlag && this.fields.every((f) => this.spec.key[f] === 1 || this.spec.key[f] === -1);
  }

  get name(): string {
    return this.spec.name;
  }

  /** Whether `find` may use this index's maps as a complete candidate source for equality on non-null values. */
  get usableForLookup(): boolean {
    return this.partial === null;
  }

  /** The entries a document has in this index; empty when sparse/partial exclude it. */
  entries(doc: Doc): IndexEntry[] {
    if (this.partial && !this.partial.test(doc)) return [];
    const one = this.scalarEntry(doc);
    if (one !== null) return this.sparse && one.values.every((v) => v === undefined) ? [] : [one];
    const perField = this.fields.map((f) => dedupe(pathValues(doc, f)));
    if (this.sparse && perField.every((vals) => vals.length === 1 && vals[0] === undefined)) return [];
    let combos: IndexEntry[] = [{ key: '', values: [], first: '' }];
    for (const vals of perField) {
      const next: IndexEntry[] = [];
      for (const c of combos) {
        for (const v of vals) {
          const k = valueKey(v);
          next.push(c.values.length === 0 ? { key: k, values: [v], first: k } : { key: c.key + SEP + k, values: [...c.values, v], first: c.first });
          if (next.length > MAX_ENTRIES_PER_DOC) throw fail('BadValue', `too many index keys for index ${this.name}`);
        }
      }
      combos = next;
    }
    return combos;
  }

  /**
   * The one entry of a document whose indexed paths each reach a single value through no array
   * (nearly every write); null when an array is on a path, for the general walk above. Every
   * write keys each of a collection's indexes this way, and building it through the general
   * walk's per-field lists and combinations was the largest allocation of the store's writes.
   */
  private scalarEntry(doc: Doc): IndexEntry | null {
    const values: unknown[] = new Array(this.paths.length);
    let key = '';
    let first = '';
    for (let i = 0; i < this.paths.length; i++) {
      let v: unknown = doc;
      for (const part of this.paths[i]) {
        if (Array.isArray(v)) return null;
        v = isPlainObject(v) ? v[part] : undefined;
      }
      if (Array.isArray(v)) return null;
      values[i] = v;
      const k = valueKey(v);
      if (i === 0) key = first = k;
      else key += SEP + k;
    }
    return { key, values, first };
  }

  /** Throws the MongoDB duplicate-key error when another document holds one of `doc`'s keys. */
  checkUnique(idKey: string, doc: Doc, ns: string): void {
    if (!this.unique) return;
    for (const e of this.entries(doc)) {
      const holders = this.full.get(e.key);
      if (holders === undefined) continue;
      for (const other of typeof holders === 'string' ? [holders] : holders) {
        if (other !== idKey) throw duplicateKeyError(ns, this.name, this.spec.key, this.fields, e.values);
      }
    }
  }

  private noteMultikey(doc: Doc, entryCount: number): void {
    if (!this.multikeyFlag && (entryCount > 1 || this.paths.some((parts) => pathHasArray(doc, parts, 0)))) this.multikeyFlag = true;
  }

  /** `seq` is the document's insertion sequence in its collection (ties in key order). */
  add(idKey: string, doc: Doc, seq: number): void {
    const entries = this.entries(doc);
    this.noteMultikey(doc, entries.length);
    for (const e of entries) {
      addTo(this.full, e.key, idKey);
      if (this.prefix) addTo(this.prefix, e.first, idKey);
      this.ordered.insert(e.values, seq, idKey);
    }
  }

  remove(idKey: string, doc: Doc, seq: number): void {
    for (const e of this.entries(doc)) {
      removeFrom(this.full, e.key, idKey);
      if (this.prefix) removeFrom(this.prefix, e.first, idKey);
      this.ordered.delete(e.values, seq);
    }
  }

  /**
   * Whether `next` (a new version of `prev`) certainly has the same entries: every indexed field's
   * top-level value is the same object or primitive in both, and no partial filter could read
   * another field. An update leaves the fields it does not touch as they were (same objects), so
   * most updates skip most indexes without computing a key.
   */
  sameEntries(prev: Doc, next: Doc): boolean {
    if (this.partial) return false;
    for (const parts of this.paths) {
      const top = parts[0];
      if (prev[top] !== next[top] || (prev[top] === undefined && Object.hasOwn(prev, top) !== Object.hasOwn(next, top))) return false;
    }
    return true;
  }

  /** `remove(prev)` then `add(next)`, leaving the entries alone when the keys did not change. */
  replace(idKey: string, prev: Doc, next: Doc, seq: number): void {
    const before = this.entries(prev);
    const after = this.entries(next);
    const sameKeys = before.length === after.length && before.every((e, i) => e.key === after[i].key);
    if (sameKeys) {
      this.noteMultikey(next, after.length);
      return;
    }
    for (const e of before) {
      removeFrom(this.full, e.key, idKey);
      if (this.prefix) removeFrom(this.prefix, e.first, idKey);
      this.ordered.delete(e.values, seq);
    }
    this.noteMultikey(next, after.length);
    for (const e of after) {
      addTo(this.full, e.key, idKey);
      if (this.prefix) addTo(this.prefix, e.first, idKey);
      this.ordered.insert(e.values, seq, idKey);
    }
  }

  clear(): void {
    this.full.clear();
    this.prefix?.clear();
    this.ordered.clear();
  }

  /** Ids whose full key is one of `keys` (one value per field, already encoded). */
  lookupFull(fieldKeys: string[][]): Set<string> {
    let keys = [''];
    for (const [i, alternatives] of fieldKeys.entries()) {
      keys = keys.flatMap((k) => alternatives.map((a) => (i === 0 ? a : k + SEP + a)));
    }
    return union(keys.map((k) => this.full.get(k)));
  }

  /** Ids whose first field has one of the encoded `keys`. */
  lookupPrefix(keys: string[]): Set<string> {
    return union(keys.map((k) => (this.prefix ?? this.full).get(k)));
  }
}

function pathHasArray(v: unknown, parts: string[], i: number): boolean {
  if (Array.isArray(v)) return true;
  if (i === parts.length || !isPlainObject(v)) return false;
  return pathHasArray(v[parts[i]], parts, i + 1);
}

function dedupe(values: unknown[]): unknown[] {
  if (values.length < 2) return values;
  const seen = new Map<string, unknown>();
  for (const v of values) if (!seen.has(valueKey(v))) seen.set(valueKey(v), v);
  return [...seen.values()];
}

/**
 * Index key → the ids of the documents that have it: the id itself while only one does (most
 * keys of most indexes: anything with a date or an `_id` in it), a Set from the second on. Every
 * update of an indexed field moves a document from one key to another, and building and
 * dropping a one-element Set each time was a large share of the store's write cost.
 */
type KeyHolders = Map<string, string | Set<string>>;

function addTo(map: KeyHolders, key: string, id: string): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, id);
  else if (typeof held === 'string') {
    if (held !== id) map.set(key, new Set([held, id]));
  } else held.add(id);
}

function removeFrom(map: KeyHolders, key: string, id: string): void {
  const held = map.get(key);
  if (held === undefined) return;
  if (typeof held === 'string') {
    if (held === id) map.delete(key);
    return;
  }
  held.delete(id);
  if (held.size === 0) map.delete(key);
}

/** Every id of `held` (each entry of one map key), as one Set. */
function union(held: Array<string | Set<string> | undefined>): Set<string> {
  const present = held.filter((h): h is string | Set<string> => h !== undefined);
  if (present.length === 1 && typeof present[0] !== 'string') return present[0];
  const out = new Set<string>();
  for (const h of present) {
    if (typeof h === 'string') out.add(h);
    else for (const id of h) out.add(id);
  }
  return out;
}

/** mongod's E11000 error, with `keyPattern` and `keyValue` that drivers and mongoose read. */
export function duplicateKeyError(
  ns: string,
  indexName: string,
  keyPattern: Record<string, unknown>,
  fields: string[],
  values: unknown[],
): MongoCommandError {
  const keyValue: Doc = {};
  fields.forEach((f, i) => (keyValue[f] = values[i] === undefined ? null : values[i]));
  const shown = fields.map((f, i) => `${f}: ${showValue(values[i])}`).join(', ');
  return fail('DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`, {
    keyPattern: { ...keyPattern },
    keyValue,
  });
}

function showValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/** The conventional name mongod gives an index: `a_1_b_-1`. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([f, dir]) => `${f}_${String(dir)}`)
    .join('_');
}
