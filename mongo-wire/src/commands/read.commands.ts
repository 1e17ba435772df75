import { Long } from 'bson';
import { fail } from '../errors';
import { candidateDocs } from '../query/candidate.planner';
import { cleanSort, compileFilter, runFind, runPipeline } from '../query/mingo.adapter';
import { distinctScan } from '../query/distinct.scan';
import { orderedFind } from '../query/ordered.planner';
import { cloneDoc, type Doc, isPlainObject, pathValues, valueKey } from '../storage/value.key';
import { type CommandContext, type CommandHandler, collectionName, optionalDoc, optionalNumber } from './command.context';

export const find: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'find');
  const filter = optionalDoc(cmd, 'filter');
  const query = compileFilter(filter);
  const limitArg = optionalNumber(cmd, 'limit') ?? 0;
  const skip = optionalNumber(cmd, 'skip') ?? 0;
  if (skip < 0) throw fail('BadValue', 'skip value must be non-negative');
  const coll = ctx.catalog.get(ctx.db, name);
  const opts = { sort: optionalDoc(cmd, 'sort'), skip, limit: Math.abs(limitArg), projection: optionalDoc(cmd, 'projection') };
  let docs: Doc[] = [];
  if (coll) {
    // A sorted find walks an index when one gives its order; the walk returns the page, still to project.
    const walked = orderedFind(coll, filter, query, { ...opts, sort: cleanSort(opts.sort) });
    docs = walked ? runFind(walked, compileFilter({}), { projection: opts.projection }) : runFind(candidateDocs(coll, filter), query, opts);
  }
  const singleBatch = cmd.singleBatch === true || limitArg < 0;
  return { cursor: ctx.cursors.open(`${ctx.db}.${name}`, docs, optionalNumber(cmd, 'batchSize'), singleBatch), ok: 1 };
};

export const getMore: CommandHandler = (cmd, ctx) => {
  const raw = cmd.getMore;
  const id = raw instanceof Long ? raw.toNumber() : raw;
  if (typeof id !== 'number') throw fail('TypeMismatch', "'getMore' must be a cursor id (int64)");
  // Not collectionName(): listCollections/listIndexes cursors live on `$cmd.list…` namespaces.
  const name = cmd.collection;
  if (typeof name !== 'string' || name.length === 0) throw fail('TypeMismatch', "'collection' must be a string");
  return { cursor: ctx.cursors.getMore(id, `${ctx.db}.${name}`, optionalNumber(cmd, 'batchSize')), ok: 1 };
};

export const killCursors: CommandHandler = (cmd, ctx) => {
  if (typeof cmd.killCursors !== 'string') throw fail('TypeMismatch', "'killCursors' must be a collection name");
  const list = cmd.cursors;
  if (!Array.isArray(list)) throw fail('TypeMismatch', "'cursors' must be an array");
  const ids = list.map((v) => (v instanceof Long ? v.toNumber() : Number(v)));
  const { killed, notFound } = ctx.cursors.kill(ids);
  const asLong = (xs: number[]) => xs.map((x) => Long.fromNumber(x));
  return { cursorsKilled: asLong(killed), cursorsNotFound: asLong(notFound), cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

/** Stages known not to mutate their input documents in mingo; anything else gets copies. */
const NON_MUTATING_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count', '$group', '$sortByCount', '$lookup', '$project']);
const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$currentOp', '$listSessions', '$changeStream', '$collStats', '$indexStats']);

export const aggregate: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'aggregate');
  const pipeline = cmd.pipeline;
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) throw fail('TypeMismatch', "'pipeline' must be an array of objects");
  const cursorOpt = optionalDoc(cmd, 'cursor');
  if (!cursorOpt && cmd.explain !== true) throw fail('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  const stages = pipeline as Doc[];
  for (const s of stages) {
    const op = Object.keys(s)[0];
    if (UNSUPPORTED_STAGES.has(op)) throw fail('IllegalOperation', `${op} is not supported by the embedded server`);
  }
  const mutates = stages.some((s) => !NON_MUTATING_STAGES.has(Object.keys(s)[0]));
  const coll = ctx.catalog.get(ctx.db, name);
  // A leading $match uses the indexes and a $sort right after it our fast sort; mingo runs the rest.
  let rest = stages;
  let input: Doc[] = [];
  if (coll) {
    const first = rest[0]?.$match;
    const match = isPlainObject(first) ? first : undefined;
    if (match) rest = rest.slice(1);
    const sort = rest[0]?.$sort;
    const walked = isPlainObject(sort) && Object.values(sort).every((d) => d === 1 || d === -1)
      ? orderedFind(coll, match, compileFilter(match), { sort: cleanSort(sort), limit: leadingLimit(rest[1]) })
      : null;
    if (walked) {
      // The $limit stage, if any, stays in `rest`: applying it again changes nothing.
      input = walked;
      rest = rest.slice(1);
    } else {
      input = match ? runFind(candidateDocs(coll, match), compileFilter(match), {}) : [...coll.docs.values()];
      if (isPlainObject(sort) && Object.values(sort).every((d) => d === 1 || d === -1)) {
        input = runFind(input, compileFilter({}), { sort });
        rest = rest.slice(1);
      }
    }
  }
  if (mutates) input = input.map(cloneDoc);
  const resolver = (from: string): Doc[] => {
    const docs = [...(ctx.catalog.get(ctx.db, from)?.docs.values() ?? [])];
    return mutates ? docs.map(cloneDoc) : docs;
  };
  const out = rest.length > 0 ? runPipeline(input, rest, resolver) : input;
  return { cursor: ctx.cursors.open(`${ctx.db}.${name}`, out, optionalNumber(cursorOpt ?? {}, 'batchSize')), ok: 1 };
};

/** The n of a `{$limit: n}` stage (0 when the stage is something else). */
function leadingLimit(stage: Doc | undefined): number {
  const n = stage?.$limit;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 0;
}

export const count: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'count');
  const filter = optionalDoc(cmd, 'query');
  const query = compileFilter(filter);
  const coll = ctx.catalog.get(ctx.db, name);
  let n = 0;
  if (coll) {
    if (!filter || Object.keys(filter).length === 0) n = coll.docs.size;
    else for (const d of candidateDocs(coll, filter)) if (query.test(d)) n++;
  }
  const skip = optionalNumber(cmd, 'skip') ?? 0;
  const limit = Math.abs(optionalNumber(cmd, 'limit') ?? 0);
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
};

export const distinct: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'distinct');
  const key = cmd.key;
  if (typeof key !== 'string' || key.length === 0) throw fail('TypeMismatch', "'key' must be a string");
  const filter = optionalDoc(cmd, 'query');
  const query = compileFilter(filter);
  const coll = ctx.catalog.get(ctx.db, name);
  if (!coll) return { values: [], ok: 1 };
  const scanned = distinctScan(coll, filter, key);
  if (scanned) return { values: scanned, ok: 1 };
  const seen = new Map<string, unknown>();
  for (const d of candidateDocs(coll, filter)) {
    if (!query.test(d)) continue;
    for (const v of pathValues(d, key)) if (v !== undefined && !seen.has(valueKey(v))) seen.set(valueKey(v), v);
  }
  return { values: [...seen.values()], ok: 1 };
};

export function listCursor(ctx: CommandContext, ns: string, docs: Doc[], cmd: Doc): Doc {
  return ctx.cursors.open(ns, docs, optionalNumber(optionalDoc(cmd, 'cursor') ?? {}, 'batchSize'));
}
