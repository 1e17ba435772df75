import { ObjectId } from 'bson';
import { Query } from 'mingo';
import { fail, MongoCommandError } from '../errors';
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
}

const SEP = '\u0000';
/** Parallel arrays are refused by mongod; this bounds what a compound multikey entry may fan out to. */
const MAX_ENTRIES_PER_DOC = 10_000;

/**
 * One secondary index: a hash map from index key to the ids of the documents that have it.
 * Hash, not ordered: it serves equality and `$in` (the queries this server must make fast) and
 * uniqueness; ranges and sorts fall back to the candidate set plus mingo.
 */
export class IndexStore {
  readonly fields: string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  private readonly partial: Query | null;
  /** Full compound key → ids. */
  private readonly full = new Map<string, Set<string>>();
  /** First field only → ids; lets an equality on a compound index's prefix use it. */
  private readonly prefix: Map<string, Set<string>> | null;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    if (this.fields.length === 0) throw fail('BadValue', 'Index keys cannot be empty.');
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    if (spec.partialFilterExpression !== undefined && !isPlainObject(spec.partialFilterExpression)) {
      throw fail('BadValue', 'partialFilterExpression must be an object');
    }
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : null;
    this.prefix = this.fields.length > 1 ? new Map() : null;
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
    const perField = this.fields.map((f) => dedupe(pathValues(doc, f)));
    if (this.sparse && perField.every((vals) => vals.length === 1 && vals[0] === undefined)) return [];
    let combos: IndexEntry[] = [{ key: '', values: [] }];
    for (const vals of perField) {
      const next: IndexEntry[] = [];
      for (const c of combos) {
        for (const v of vals) {
          next.push({ key: c.values.length === 0 ? valueKey(v) : c.key + SEP + valueKey(v), values: [...c.values, v] });
          if (next.length > MAX_ENTRIES_PER_DOC) throw fail('BadValue', `too many index keys for index ${this.name}`);
        }
      }
      combos = next;
    }
    return combos;
  }

  /** Throws the MongoDB duplicate-key error when another document holds one of `doc`'s keys. */
  checkUnique(idKey: string, doc: Doc, ns: string): void {
    if (!this.unique) return;
    for (const e of this.entries(doc)) {
      const holders = this.full.get(e.key);
      if (!holders) continue;
      for (const other of holders) {
        if (other !== idKey) throw duplicateKeyError(ns, this.name, this.spec.key, this.fields, e.values);
      }
    }
  }

  add(idKey: string, doc: Doc): void {
    for (const e of this.entries(doc)) {
      addTo(this.full, e.key, idKey);
      if (this.prefix) addTo(this.prefix, valueKey(e.values[0]), idKey);
    }
  }

  remove(idKey: string, doc: Doc): void {
    for (const e of this.entries(doc)) {
      removeFrom(this.full, e.key, idKey);
      if (this.prefix) removeFrom(this.prefix, valueKey(e.values[0]), idKey);
    }
  }

  clear(): void {
    this.full.clear();
    this.prefix?.clear();
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

function dedupe(values: unknown[]): unknown[] {
  if (values.length < 2) return values;
  const seen = new Map<string, unknown>();
  for (const v of values) if (!seen.has(valueKey(v))) seen.set(valueKey(v), v);
  return [...seen.values()];
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set) set.add(id);
  else map.set(key, new Set([id]));
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

function union(sets: Array<Set<string> | undefined>): Set<string> {
  const present = sets.filter((s): s is Set<string> => s !== undefined);
  if (present.length === 1) return present[0];
  const out = new Set<string>();
  for (const s of present) for (const id of s) out.add(id);
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
