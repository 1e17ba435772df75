import type { CollectionStore } from '../storage/collection.store';
import type { IndexStore } from '../storage/index.store';
import { type OrderedEntry, type Pos, type Probe, TypeBracket } from '../storage/ordered.keys';
import { type Doc, isPlainObject, valueKey } from '../storage/value.key';
import { candidateIds } from './candidate.planner';
import { type Matcher, withMingo } from './mingo.adapter';
import { type SortSpec, compareValues, isOrderedScalar, typeRank } from './sort.order';

/**
 * Sorted queries over an index's key order. When the sort is the index's key order after the
 * fields the filter pins by equality (or exactly its reverse), walking the index range yields
 * the matches already sorted, and a limit stops the walk early: "newest 21 jobs" reads ~21
 * documents, not the collection. Fields pinned by an `$in` give one range per value, merged
 * (as mongod's SORT_MERGE does). A range (`$gt`/`$gte`/`$lt`/`$lte`, or the hull of an `$or`
 * of them) on the first field after the pinned ones narrows the walk. Anything else, and
 * walks the cost estimate says are worse than sorting the hash-index candidates, return null:
 * the caller falls back to candidates + sort.
 */
export interface IndexWalk {
  index: IndexStore;
  /**
   * Runs of `index.ordered` (end exclusive), one per combination of the pinned values (several
   * when a pinned field has an `$in`); their entries are merged on the fields after the pinned ones.
   */
  runs: Array<{ start: Pos; end: Pos }>;
  /** How many leading index fields are pinned. */
  pinned: number;
  /** Entries in the runs. */
  span: number;
  reverse: boolean;
}

/** More combinations of `$in` values than this are not worth a merge. */
const MAX_RUNS = 32;

interface Range {
  lo: unknown;
  loIncl: boolean;
  hi: unknown;
  hiIncl: boolean;
}

/** Sorting a candidate costs roughly this many index-entry visits (decorate, compare, log n). */
const SORT_COST_PER_DOC = 4;

/** Matches of `filter`, sorted, skipped and limited (`limit` 0: none) by an index walk; null when no walk fits. */
export function orderedFind(
  coll: CollectionStore,
  filter: Doc | undefined,
  query: Matcher,
  opts: { sort?: SortSpec; skip?: number; limit?: number },
): Doc[] | null {
  if (!opts.sort) return null;
  const skip = opts.skip ?? 0;
  const limit = opts.limit ?? 0;
  const walk = planIndexWalk(coll, filter ?? {}, opts.sort, limit > 0 ? skip + limit : 0);
  // mingo's runtime errors become mongod's codes, as on the scan path.
  return walk ? withMingo(() => walkIndex(coll, walk, query, skip, limit)) : null;
}

export function planIndexWalk(coll: CollectionStore, filter: Doc, sort: SortSpec, wanted: number): IndexWalk | null {
  const points = pointValues(filter);
  const ranges = rangeBounds(filter);
  let best: IndexWalk | null = null;
  for (const index of coll.indexes.values()) {
    if (!index.walkable) continue;
    const walk = walkFor(index, points, ranges, sort);
    if (walk && (best === null || walk.span < best.span)) best = walk;
  }
  if (best === null) return null;
  const { span } = best;
  const ids = candidateIds(coll, filter);
  const candidates = ids === null ? coll.docs.size : 'size' in ids ? ids.size : ids.length;
  // Expected entries visited before `wanted` matches, taking the hash candidates' share of the
  // range as the filter's selectivity; without a limit the whole range.
  const visits = wanted > 0 ? Math.min(span, (wanted * span) / Math.max(1, Math.min(candidates, span))) : span;
  return visits <= candidates * SORT_COST_PER_DOC ? best : null;
}

export function walkIndex(coll: CollectionStore, walk: IndexWalk, query: Matcher, skip: number, limit: number): Doc[] {
  const out: Doc[] = [];
  let skipped = 0;
  for (const entry of entriesOf(walk)) {
    const doc = coll.docs.get(entry.id);
    if (!doc || !query.test(doc)) continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    out.push(doc);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

/** The entries of a walk in order: one run as is, several merged. */
function* entriesOf(walk: IndexWalk): Generator<OrderedEntry> {
  const { ordered } = walk.index;
  if (walk.runs.length === 1) {
    yield* ordered.between(walk.runs[0].start, walk.runs[0].end, walk.reverse);
    return;
  }
  const sign = walk.reverse ? -1 : 1;
  const iters = walk.runs.map((r) => ordered.between(r.start, r.end, walk.reverse));
  const heads = iters.map((it) => it.next());
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h.done) continue;
      if (best < 0 || sign * ordered.compare(h.value, heads[best].value as OrderedEntry, walk.pinned) < 0) best = i;
    }
    if (best < 0) return;
    yield heads[best].value as OrderedEntry;
    heads[best] = iters[best].next();
  }
}

/** The walk of `index` that yields `sort` order, or null when the index cannot give that order. */
function walkFor(index: IndexStore, points: Map<string, unknown[]>, ranges: Map<string, Range>, sort: SortSpec): IndexWalk | null {
  const { fields } = index;
  const dirs = index.directions;
  let k = 0;
  while (k < fields.length && points.has(fields[k])) k++;
  // A field pinned to one value is constant among the matches: sorting on it changes nothing.
  const constant = new Set(fields.slice(0, k).filter((f) => points.get(f)!.length === 1));
  const rest = Object.entries(sort).filter(([f]) => !constant.has(f));
  if (rest.length === 0 || k + rest.length > fields.length) return null;
  let relation = 0;
  for (const [j, [field, dir]] of rest.entries()) {
    if (fields[k + j] !== field) return null;
    const r = dir * dirs[k + j];
    if (relation !== 0 && r !== relation) return null;
    relation = r;
  }
  let prefixes: unknown[][] = [[]];
  for (const f of fields.slice(0, k)) {
    prefixes = prefixes.flatMap((p) => points.get(f)!.map((v) => [...p, v]));
    if (prefixes.length > MAX_RUNS) return null;
  }
  const range = k < fields.length ? ranges.get(fields[k]) : undefined;
  const runs = prefixes.map((prefix) => runFor(index, prefix, range, dirs[k]));
  const span = runs.reduce((n, r) => n + index.ordered.distance(r.start, r.end), 0);
  return { index, runs, pinned: k, span, reverse: relation < 0 };
}

/** Where the entries with this pinned prefix, and the next field in `range`, start and end. */
function runFor(index: IndexStore, prefix: unknown[], range: Range | undefined, dir: 1 | -1 | undefined): { start: Pos; end: Pos } {
  let startProbe: Probe = { vals: prefix, tail: -1 };
  let endProbe: Probe = { vals: prefix, tail: 1 };
  if (range) {
    const loProbe: Probe = { vals: [...prefix, range.lo], tail: 1 };
    const hiProbe: Probe = { vals: [...prefix, range.hi], tail: 1 };
    // Probe tails are in index order: the first entry of a field walked descending is its highest value.
    if (dir === 1) {
      loProbe.tail = range.loIncl ? -1 : 1;
      hiProbe.tail = range.hiIncl ? 1 : -1;
      [startProbe, endProbe] = [loProbe, hiProbe];
    } else {
      hiProbe.tail = range.hiIncl ? -1 : 1;
      loProbe.tail = range.loIncl ? 1 : -1;
      [startProbe, endProbe] = [hiProbe, loProbe];
    }
  }
  return { start: index.ordered.after(startProbe), end: index.ordered.after(endProbe) };
}

/**
 * Field → the values a match must equal one of (top level and `$and`; a value, `$eq`, `$in`),
 * distinct; the shortest list when a field has several conditions.
 */
export function pointValues(filter: Doc): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const visit = (f: Doc) => {
    for (const [field, cond] of Object.entries(f)) {
      if (field === '$and' && Array.isArray(cond)) {
        for (const part of cond) if (isPlainObject(part)) visit(part);
        continue;
      }
      if (field.startsWith('$')) continue;
      const vals = pointsOf(cond);
      const prev = out.get(field);
      if (vals && (!prev || vals.length < prev.length)) out.set(field, vals);
    }
  };
  visit(filter);
  return out;
}

/**
 * A value an index walk may pin: an ordered scalar, or null (in a walkable index, which is
 * never multikey, `{f: null}` matches what sits in the lowest bracket: null or missing).
 */
function isPoint(v: unknown): boolean {
  return v === null || isOrderedScalar(v);
}

function pointsOf(cond: unknown): unknown[] | null {
  if (!isPlainObject(cond)) return isPoint(cond) ? [cond] : null;
  if (!Object.keys(cond).every((o) => o.startsWith('$'))) return null;
  if ('$eq' in cond) return isPoint(cond.$eq) ? [cond.$eq] : null;
  if (!Array.isArray(cond.$in) || cond.$in.length === 0 || !cond.$in.every(isPoint)) return null;
  const distinct = new Map<string, unknown>();
  for (const v of cond.$in) if (!distinct.has(valueKey(v))) distinct.set(valueKey(v), v);
  return [...distinct.values()];
}

function pointOf(cond: unknown): unknown {
  const vals = pointsOf(cond);
  return vals && vals.length === 1 ? vals[0] : undefined;
}

/**
 * Field → an interval every match lies in (a superset is fine: the filter runs on each document).
 * From comparison operators at the top level and in `$and`, equalities as points, and for an
 * `$or` the hull of its branches when every branch bounds the field.
 */
export function rangeBounds(filter: Doc): Map<string, Range> {
  const out = new Map<string, Range>();
  const add = (field: string, r: Range | null) => {
    if (r && !out.has(field)) out.set(field, r);
  };
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const part of cond) if (isPlainObject(part)) for (const [f, r] of rangeBounds(part)) add(f, r);
    } else if (field === '$or' && Array.isArray(cond) && cond.length > 0 && cond.every(isPlainObject)) {
      const branches = (cond as Doc[]).map(rangeBounds);
      for (const [f, first] of branches[0]) {
        let hull: Range | null = first;
        for (const b of branches.slice(1)) hull = hull && b.has(f) ? union(hull, b.get(f)!) : null;
        add(f, hull);
      }
    } else if (!field.startsWith('$')) add(field, rangeOf(cond));
  }
  return out;
}

function rangeOf(cond: unknown): Range | null {
  if (!isPlainObject(cond)) return isOrderedScalar(cond) ? { lo: cond, loIncl: true, hi: cond, hiIncl: true } : null;
  if (!Object.keys(cond).every((o) => o.startsWith('$'))) return null;
  const p = pointOf(cond);
  if (p !== undefined) return { lo: p, loIncl: true, hi: p, hiIncl: true };
  let lo: unknown;
  let hi: unknown;
  let loIncl = true;
  let hiIncl = true;
  for (const [op, v] of Object.entries(cond)) {
    if (!['$gt', '$gte', '$lt', '$lte'].includes(op)) continue;
    if (!isOrderedScalar(v)) return null;
    if (op === '$gt' || op === '$gte') [lo, loIncl] = [v, op === '$gte'];
    else [hi, hiIncl] = [v, op === '$lte'];
  }
  if (lo === undefined && hi === undefined) return null;
  // MongoDB compares within a type bracket: {$gt: 5} never matches a string.
  if (lo !== undefined && hi !== undefined && typeRank(lo) !== typeRank(hi)) return null;
  return {
    lo: lo ?? TypeBracket.of(hi, -1),
    loIncl,
    hi: hi ?? TypeBracket.of(lo, 1),
    hiIncl,
  };
}

function bracketRank(v: unknown): number {
  return v instanceof TypeBracket ? v.rank : typeRank(v);
}

function union(a: Range, b: Range): Range | null {
  if (bracketRank(a.lo) !== bracketRank(b.lo)) return null;
  const lowest = (x: Range, y: Range): Range => {
    if (x.lo instanceof TypeBracket) return x;
    if (y.lo instanceof TypeBracket) return y;
    const c = compareValues(x.lo, y.lo);
    return c < 0 || (c === 0 && x.loIncl) ? x : y;
  };
  const highest = (x: Range, y: Range): Range => {
    if (x.hi instanceof TypeBracket) return x;
    if (y.hi instanceof TypeBracket) return y;
    const c = compareValues(x.hi, y.hi);
    return c > 0 || (c === 0 && x.hiIncl) ? x : y;
  };
  const l = lowest(a, b);
  const h = highest(a, b);
  return { lo: l.lo, loIncl: l.loIncl, hi: h.hi, hiIncl: h.hiIncl };
}
