import { Aggregator, Query } from 'mingo';
import type { AnyObject, CollectionResolver } from 'mingo/types';
import { MingoError } from 'mingo/util';
import { fail, MongoCommandError } from '../errors';
import { type Doc, pathValues, valueKey } from '../storage/value.key';
import { isOrderedScalar, type SortSpec, sortDocs } from './sort.order';

/**
 * Runs mingo (queries, pipelines, updates) so that its exceptions become MongoDB errors with
 * mongod's codes: unknown query operator → 2 BadValue, unknown update modifier → 9
 * FailedToParse, unknown pipeline stage → 40324, unknown expression → 168.
 */
export function withMingo<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toMongoError(err);
  }
}

export function toMongoError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  let m: RegExpMatchArray | null;
  if ((m = message.match(/unknown (?:top level |query )?operator:? ?'?(\$\w+)/i))) return fail('BadValue', `unknown operator: ${m[1]}`);
  if ((m = message.match(/Unknown update operator: '?(\$\w+)/i))) {
    return fail('FailedToParse', `Unknown modifier: ${m[1]}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  if ((m = message.match(/unregistered pipeline operator (\$\w+)/i))) return fail('InvalidPipelineStage', `Unrecognized pipeline stage name: '${m[1]}'`);
  if ((m = message.match(/'(\$\w+)' is not registered/i))) return fail('InvalidPipelineOperator', `Unrecognized expression '${m[1]}'`);
  // mingo's own complaints and invalid regexes are the client's fault; anything else is ours.
  if (err instanceof MingoError || err instanceof SyntaxError || err instanceof TypeError) return fail('BadValue', message);
  return fail('InternalError', message);
}

/** A compiled filter. */
export interface Matcher {
  test(doc: Doc): boolean;
}

/** Compiled once: mingo's Query setup costs tens of microseconds, too much per operation. */
const MATCH_ALL: Query = new Query({}, {});

/**
 * Compiles a filter. Plain scalar equalities and memberships (`{_id: x}`, `{key: 'k', status:
 * {$in: ['A', 'B']}}`) and the top-level conditions of topLevelCondition, the common case
 * (every fenced job update and every claim has this shape), get a matcher of their own with
 * MongoDB's semantics (a field matches when it, or an element of it, equals the value or one of
 * the values); everything else goes to mingo.
 */
export function compileFilter(filter: Doc | undefined): Matcher {
  if (filter !== undefined && (filter === null || typeof filter !== 'object' || Array.isArray(filter))) {
    throw fail('TypeMismatch', "'filter' must be an object");
  }
  if (!filter || Object.keys(filter).length === 0) return MATCH_ALL;
  return scalarEqualityMatcher(filter) ?? withMingo(() => new Query(filter, {}));
}

type Condition = (doc: Doc) => boolean;

function scalarEqualityMatcher(filter: Doc): Matcher | null {
  const conds: Condition[] = [];
  for (const [field, value] of Object.entries(filter)) {
    if (field.startsWith('$')) return null;
    const cond = scalarCondition(field, value) ?? topLevelCondition(field, value);
    if (!cond) return null;
    conds.push(cond);
  }
  return { test: (doc) => conds.every((c) => c(doc)) };
}

function scalarCondition(field: string, value: unknown): Condition | null {
  const keys = scalarKeys(value);
  if (!keys) return null;
  return (doc) => pathValues(doc, field).some((v) => keys.has(valueKey(v)));
}

/** A test of one top-level field's value: true or false, or undefined where mingo must decide. */
type ValueTest = (v: unknown) => boolean | undefined;

/**
 * The other conditions the state machine's filters use, on a top-level field: null tests
 * (`null`, `{$eq: null}`, `{$ne: null}`), `$ne` of a scalar, a `$in` of scalars and null, a time bound
 * (`{$not: {$gt: date}}`), and "every element among these" (`{$not: {$elemMatch: {$nin: [...]}}}`).
 * Each decides the plain cases (a missing or null field, a scalar, an array of scalars where
 * its rule is simple); a document where it cannot (an array where an element may decide, a
 * value of another type) is left to mingo, compiled only when one turns up.
 */
function topLevelCondition(field: string, cond: unknown): Condition | null {
  if (field.includes('.')) return null;
  const test = valueTest(cond);
  if (!test) return null;
  let whole: Query | undefined;
  return (doc) => test(doc[field]) ?? (whole ??= withMingo(() => new Query({ [field]: cond } as AnyObject, {}))).test(doc as AnyObject);
}

const isMissing = (v: unknown): boolean => v === null || v === undefined;

function valueTest(cond: unknown): ValueTest | null {
  if (cond === null || (isSingleOp(cond, '$eq') && cond.$eq === null)) return (v) => (Array.isArray(v) ? undefined : isMissing(v));
  if (isSingleOp(cond, '$ne') && cond.$ne === null) return (v) => (Array.isArray(v) ? undefined : !isMissing(v));
  if (isSingleOp(cond, '$ne') && isOrderedScalar(cond.$ne)) {
    // every heartbeat's touch of its worker (`{_id, status: {$ne: 'DELETED'}}`) has this shape
    const key = valueKey(cond.$ne);
    return (v) => (isMissing(v) ? true : isOrderedScalar(v) ? valueKey(v) !== key : undefined);
  }
  if (isSingleOp(cond, '$in') && Array.isArray(cond.$in) && cond.$in.every((x) => x === null || isOrderedScalar(x))) {
    const keys = new Set(cond.$in.filter((x) => x !== null).map(valueKey));
    const withNull = cond.$in.includes(null);
    return (v) => (Array.isArray(v) ? undefined : isMissing(v) ? withNull : keys.has(valueKey(v)));
  }
  if (isSingleOp(cond, '$not') && isSingleOp(cond.$not, '$gt') && cond.$not.$gt instanceof Date && !Number.isNaN(cond.$not.$gt.getTime())) {
    const bound = cond.$not.$gt.getTime();
    return (v) => (isMissing(v) ? true : v instanceof Date ? !(v.getTime() > bound) : undefined);
  }
  if (isSingleOp(cond, '$not') && isSingleOp(cond.$not, '$elemMatch') && isSingleOp(cond.$not.$elemMatch, '$nin')) {
    const allowed = cond.$not.$elemMatch.$nin;
    if (!Array.isArray(allowed) || !allowed.every(isOrderedScalar)) return null;
    const keys = new Set(allowed.map(valueKey));
    return (v) => (isMissing(v) ? true : Array.isArray(v) && v.every(isOrderedScalar) ? v.every((e) => keys.has(valueKey(e))) : undefined);
  }
  return null;
}

function isSingleOp<K extends string>(cond: unknown, op: K): cond is Record<K, unknown> & Record<string, any> {
  if (cond === null || typeof cond !== 'object' || Array.isArray(cond) || Object.getPrototypeOf(cond) !== Object.prototype) return false;
  const ops = Object.keys(cond);
  return ops.length === 1 && ops[0] === op;
}

/**
 * The value keys a condition accepts when it is `value`, `{$eq: value}` or `{$in: [values]}` of
 * ordered scalars (no null: `{$in: [null]}` also matches a missing field); null otherwise.
 */
function scalarKeys(cond: unknown): Set<string> | null {
  if (isOrderedScalar(cond)) return new Set([valueKey(cond)]);
  if (cond === null || typeof cond !== 'object' || Array.isArray(cond) || Object.getPrototypeOf(cond) !== Object.prototype) return null;
  const ops = Object.keys(cond);
  if (ops.length !== 1) return null;
  const arg = (cond as Doc)[ops[0]];
  if (ops[0] === '$eq') return isOrderedScalar(arg) ? new Set([valueKey(arg)]) : null;
  if (ops[0] !== '$in' || !Array.isArray(arg) || !arg.every(isOrderedScalar)) return null;
  return new Set(arg.map(valueKey));
}

/** Matches, sorts, skips, limits and projects `docs` (already a superset of the matches). */
export function runFind(
  docs: Doc[],
  query: Matcher,
  opts: { sort?: Doc; skip?: number; limit?: number; projection?: Doc },
): Doc[] {
  return withMingo(() => {
    const sort = cleanSort(opts.sort);
    const projection = opts.projection && Object.keys(opts.projection).length > 0 ? opts.projection : undefined;
    const matched = query === MATCH_ALL ? docs : docs.filter((d) => query.test(d));
    if (!sort && !projection && !opts.skip && !opts.limit) return matched;
    let page = sort ? sortDocs(matched, sort) : matched;
    const skip = opts.skip ?? 0;
    if (skip > 0 || opts.limit) page = page.slice(skip, opts.limit ? skip + opts.limit : undefined);
    if (!projection) return page;
    const fields = topLevelInclusion(projection);
    return fields ? page.map((d) => pick(d, fields)) : MATCH_ALL.find<Doc>(page, projection as AnyObject).all();
  });
}

/**
 * The fields to keep when `projection` only includes top-level fields (`{a: 1, b: true}`,
 * `_id` shown or hidden), in the order mingo gives them: the names sorted, `_id` last. Such a
 * projection (a fenced update's `{logBytes: 1}`) costs mingo more than the rest of the command.
 * Null for anything else.
 */
function topLevelInclusion(projection: Doc): { names: string[]; id: boolean } | null {
  const names: string[] = [];
  let id = true;
  for (const [field, v] of Object.entries(projection)) {
    if (field === '_id') {
      if (v === 0 || v === false) id = false;
      else if (v !== 1 && v !== true) return null;
      continue;
    }
    if (field === '' || field === '__proto__' || field.includes('.') || field.startsWith('$') || (v !== 1 && v !== true)) return null;
    names.push(field);
  }
  if (names.length === 0) return null;
  return { names: names.sort(), id };
}

function pick(doc: Doc, fields: { names: string[]; id: boolean }): Doc {
  const out: Doc = {};
  for (const name of fields.names) if (Object.prototype.hasOwnProperty.call(doc, name) && doc[name] !== undefined) out[name] = doc[name];
  if (fields.id && doc._id !== undefined) out._id = doc._id;
  return out;
}

/** Drops `$natural` and `$meta` sort keys, which mingo does not know. */
export function cleanSort(sort: Doc | undefined): SortSpec | undefined {
  if (!sort) return undefined;
  const out: SortSpec = {};
  for (const [k, v] of Object.entries(sort)) {
    if (k.startsWith('$') || typeof v !== 'number') continue;
    out[k] = v < 0 ? -1 : 1;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function runPipeline(docs: Doc[], pipeline: Doc[], resolver: CollectionResolver): Doc[] {
  return withMingo(() => new Aggregator(pipeline as AnyObject[], { collectionResolver: resolver }).run<Doc>(docs));
}
