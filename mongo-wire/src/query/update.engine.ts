import { ObjectId } from 'bson';
import { update as mingoUpdate, type Modifier } from 'mingo/updater';
import { isEqual } from 'mingo/util';
import type { AnyObject } from 'mingo/types';
import { fail } from '../errors';
import { cloneDoc, type Doc, isPlainObject, valueKey } from '../storage/value.key';
import { runPipeline, withMingo } from './mingo.adapter';

export type UpdateSpec = Doc | Doc[];

export interface ApplyOptions {
  arrayFilters?: Doc[];
  /** The query, for the positional `$` operator. */
  filter?: Doc;
  /** Upsert insert: `$setOnInsert` applies. */
  isInsert?: boolean;
}

/**
 * Applies an update (operators, replacement or pipeline) to a copy of `doc` and returns the
 * new document; `doc` itself is untouched so the caller can check unique indexes before
 * swapping it in. Covers what mingo's updater lacks: `$setOnInsert`, `$set` of `_id` to its
 * current value, and the immutability of `_id`.
 */
export function applyUpdate(doc: Doc, spec: UpdateSpec, opts: ApplyOptions = {}): { doc: Doc; modified: boolean } {
  if (Array.isArray(spec)) {
    const [out] = runPipeline([cloneDoc(doc)], spec, () => []);
    if (!out) throw fail('BadValue', 'update pipeline removed the document');
    return finish(doc, out);
  }
  if (!isPlainObject(spec)) throw fail('FailedToParse', 'Update argument must be either an object or an array');
  if (!isOperatorUpdate(spec)) return finish(doc, replacement(doc, spec));

  const modifier: Doc = {};
  for (const [op, args] of Object.entries(spec)) {
    if (!op.startsWith('$')) throw fail('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!isPlainObject(args)) throw fail('FailedToParse', `Modifiers operate on fields but we found type ${typeof args} instead.`);
    if (op === '$setOnInsert') {
      if (opts.isInsert) modifier.$set = { ...(modifier.$set as Doc | undefined), ...args };
      continue;
    }
    modifier[op] = op === '$set' ? { ...(modifier.$set as Doc | undefined), ...args } : args;
  }
  const set = modifier.$set as Doc | undefined;
  if (set && '_id' in set) {
    if (valueKey(set._id) !== valueKey(doc._id) && !opts.isInsert) throw immutableId();
    if (!opts.isInsert) {
      const { _id: _drop, ...rest } = set;
      modifier.$set = rest;
    }
  }
  for (const op of Object.keys(modifier)) if (Object.keys(modifier[op] as Doc).length === 0) delete modifier[op];
  if (Object.keys(modifier).length === 0) return { doc, modified: false };
  const simple = topLevelUpdate(doc, modifier);
  if (simple) return simple;
  const next = cloneDoc(doc);
  // The filter only matters for the positional `$`; compiling it costs, so pass it only then.
  // "copy" clone mode is enough: `next` is already a private copy and stored documents are never
  // mutated in place, so sharing modifier values between documents is harmless.
  const positional = Object.values(modifier).some((args) => Object.keys(args as Doc).some((path) => /(^|\.)\$(\.|$)/.test(path)));
  const changed = withMingo(() =>
    mingoUpdate(
      next as AnyObject,
      modifier as Modifier<AnyObject>,
      opts.arrayFilters as AnyObject[] | undefined,
      positional ? (opts.filter as AnyObject | undefined) : undefined,
      { cloneMode: 'copy' },
    ),
  );
  if (!opts.isInsert && valueKey(next._id) !== valueKey(doc._id)) throw immutableId();
  return { doc: next, modified: changed.length > 0 };
}

/**
 * `$inc`, `$set`, `$unset` and `$push` (of one value) on top-level fields, the shape of nearly
 * every update the API sends (a lease's fence-and-count, a heartbeat's timestamps, a job's end
 * with its attempt record), applied without mingo: compiling its updater costs more than the
 * rest of the command. The result is what mingo gives (fields in operator then field order, new
 * ones last; `modified` when a value changes). Null when any part is outside that shape (a dotted
 * or positional path, another operator, a field named twice, an `$inc` of a value that is present
 * but not a number, a `$push` with modifiers or onto a present non-array): mingo handles it.
 * Fields the update leaves alone keep their values (the same objects), which the indexes use to
 * skip keys that cannot have changed.
 */
function topLevelUpdate(doc: Doc, modifier: Doc): { doc: Doc; modified: boolean } | null {
  const seen = new Set<string>();
  for (const [op, args] of Object.entries(modifier)) {
    if (op !== '$inc' && op !== '$set' && op !== '$unset' && op !== '$push') return null;
    for (const [field, value] of Object.entries(args as Doc)) {
      if (field === '' || field === '_id' || field === '__proto__' || field.includes('.') || field.startsWith('$') || seen.has(field)) return null;
      seen.add(field);
      if (op === '$set' && value === undefined) return null;
      if (op === '$inc' && (typeof value !== 'number' || !Number.isFinite(value) || (hasOwn(doc, field) && typeof doc[field] !== 'number'))) return null;
      if (op === '$push' && (value === undefined || (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))))) return null;
      if (op === '$push' && hasOwn(doc, field) && !Array.isArray(doc[field])) return null;
    }
  }
  const next: Doc = { ...doc };
  let modified = false;
  for (const [op, args] of Object.entries(modifier)) {
    for (const [field, value] of Object.entries(args as Doc)) {
      const present = hasOwn(doc, field);
      if (op === '$unset') {
        if (present) {
          delete next[field];
          modified = true;
        }
        continue;
      }
      if (op === '$push') {
        next[field] = [...((present ? doc[field] : []) as unknown[]), cloneDoc(value)];
        modified = true;
        continue;
      }
      const after = op === '$inc' ? (present ? (doc[field] as number) + (value as number) : value) : cloneDoc(value);
      if (!present || (op === '$inc' ? after !== doc[field] : !isEqual(doc[field], after))) modified = true;
      next[field] = after;
    }
  }
  return { doc: next, modified };
}

function hasOwn(doc: Doc, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(doc, field);
}

export function isOperatorUpdate(spec: Doc): boolean {
  const first = Object.keys(spec)[0];
  return first !== undefined && first.startsWith('$');
}

function replacement(doc: Doc, spec: Doc): Doc {
  for (const k of Object.keys(spec)) {
    if (k.startsWith('$')) throw fail('BadValue', `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document.`);
  }
  if ('_id' in spec && doc._id !== undefined && valueKey(spec._id) !== valueKey(doc._id)) throw immutableId();
  const { _id: _drop, ...rest } = spec;
  return { _id: doc._id ?? spec._id, ...cloneDoc(rest) };
}

function finish(prev: Doc, next: Doc): { doc: Doc; modified: boolean } {
  if (prev._id !== undefined && valueKey(next._id) !== valueKey(prev._id)) throw immutableId();
  return { doc: next, modified: !isEqual(prev, next) };
}

function immutableId() {
  return fail('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
}

/**
 * The document an upsert starts from: the filter's equality fields (`{a: 1}`, `{a: {$eq: 1}}`,
 * `$and` parts), as mongod does, then the update applied with `$setOnInsert`.
 */
export function buildUpsert(filter: Doc, spec: UpdateSpec, arrayFilters?: Doc[]): Doc {
  let doc: Doc;
  if (!Array.isArray(spec) && isPlainObject(spec) && !isOperatorUpdate(spec)) {
    const seed = seedFromFilter(filter);
    doc = replacement({ _id: spec._id ?? seed._id }, spec);
    if (doc._id === undefined) delete doc._id;
  } else {
    doc = applyUpdate(seedFromFilter(filter), spec, { isInsert: true, arrayFilters }).doc;
  }
  return withIdFirst(doc);
}

export function withIdFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id: _id === undefined ? new ObjectId() : _id, ...rest };
}

export function seedFromFilter(filter: Doc): Doc {
  const out: Doc = {};
  const visit = (f: Doc) => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const part of v) if (isPlainObject(part)) visit(part);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (isPlainObject(v) && Object.keys(v).some((o) => o.startsWith('$'))) {
        if ('$eq' in v) setPath(out, k, cloneDoc(v.$eq));
        else if (Array.isArray(v.$in) && v.$in.length === 1) setPath(out, k, cloneDoc(v.$in[0]));
        continue;
      }
      setPath(out, k, cloneDoc(v));
    }
  };
  visit(filter);
  return out;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Doc;
  }
  cur[parts[parts.length - 1]] = value;
}
