import { fail, MongoCommandError } from '../errors';
import { candidateDocs } from '../query/candidate.planner';
import { cleanSort, compileFilter, type Matcher, runFind, toMongoError } from '../query/mingo.adapter';
import { orderedFind } from '../query/ordered.planner';
import { applyUpdate, buildUpsert, type UpdateSpec, withIdFirst } from '../query/update.engine';
import type { CollectionStore } from '../storage/collection.store';
import { type Doc, isPlainObject, valueKey } from '../storage/value.key';
import { type CommandContext, type CommandHandler, collectionForWrite, collectionName, optionalDoc } from './command.context';

/** `writeErrors[i]` as mongod reports it: index, code, errmsg, plus keyPattern/keyValue for duplicates. */
function writeError(index: number, err: unknown): Doc {
  const e = err instanceof MongoCommandError ? err : toMongoError(err);
  return { index, code: e.code, codeName: e.codeName, errmsg: e.message, ...e.extra };
}

function statements(cmd: Doc, field: string): Doc[] {
  const list = cmd[field];
  if (!Array.isArray(list)) throw fail('TypeMismatch', `'${field}' must be an array`);
  if (list.length === 0) throw fail('BadValue', 'Write batch sizes must be between 1 and 100000. Got 0 operations.');
  for (const s of list) if (!isPlainObject(s)) throw fail('TypeMismatch', `'${field}' entries must be objects`);
  return list as Doc[];
}

function firstMatch(docs: Doc[], query: Matcher): Doc | undefined {
  for (const d of docs) if (query.test(d)) return d;
  return undefined;
}

function put(ctx: CommandContext, coll: CollectionStore, doc: Doc): void {
  ctx.effects.push({ op: 'put', db: ctx.db, c: coll.name, doc });
}

export const insert: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'insert');
  const docs = statements(cmd, 'documents');
  const ordered = cmd.ordered !== false;
  const coll = collectionForWrite(ctx, name);
  let n = 0;
  const writeErrors: Doc[] = [];
  for (const [i, raw] of docs.entries()) {
    try {
      if (Array.isArray(raw._id)) throw fail('BadValue', `The '_id' value cannot be of type array`);
      const doc = withIdFirst(raw);
      coll.insert(doc);
      put(ctx, coll, doc);
      n++;
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

export const update: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'update');
  const updates = statements(cmd, 'updates');
  const ordered = cmd.ordered !== false;
  // Like mongod, an update creates the collection only when it upserts.
  const existing = (): CollectionStore | undefined => ctx.catalog.get(ctx.db, name);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors: Doc[] = [];
  for (const [i, stmt] of updates.entries()) {
    try {
      const filter = optionalDoc(stmt, 'q') ?? {};
      const spec = stmt.u as UpdateSpec;
      if (!isPlainObject(spec) && !Array.isArray(spec)) throw fail('FailedToParse', 'Update argument must be either an object or an array');
      const multi = stmt.multi === true;
      if (multi && isPlainObject(spec) && Object.keys(spec).length > 0 && !Object.keys(spec)[0].startsWith('$')) {
        throw fail('FailedToParse', 'multi update is not supported for replacement-style update');
      }
      const arrayFilters = stmt.arrayFilters as Doc[] | undefined;
      const query = compileFilter(filter);
      const coll = existing();
      const candidates = coll ? candidateDocs(coll, filter) : [];
      const matches = multi ? candidates.filter((d) => query.test(d)) : [firstMatch(candidates, query)].filter((d): d is Doc => d !== undefined);
      if (matches.length === 0 && stmt.upsert === true) {
        const doc = buildUpsert(filter, spec, arrayFilters);
        const target = coll ?? collectionForWrite(ctx, name);
        target.insert(doc);
        put(ctx, target, doc);
        n++;
        upserted.push({ index: i, _id: doc._id });
        continue;
      }
      if (!coll) continue;
      for (const doc of matches) {
        const result = applyUpdate(doc, spec, { arrayFilters, filter });
        n++;
        if (!result.modified) continue;
        coll.replace(valueKey(doc._id), result.doc);
        put(ctx, coll, result.doc);
        nModified++;
      }
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  const reply: Doc = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
};

export const deleteCommand: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'delete');
  const deletes = statements(cmd, 'deletes');
  const ordered = cmd.ordered !== false;
  const coll = ctx.catalog.get(ctx.db, name);
  let n = 0;
  const writeErrors: Doc[] = [];
  for (const [i, stmt] of deletes.entries()) {
    try {
      const filter = optionalDoc(stmt, 'q') ?? {};
      const limit = stmt.limit;
      if (limit !== 0 && limit !== 1) throw fail('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      const query = compileFilter(filter);
      if (!coll) continue;
      const candidates = candidateDocs(coll, filter);
      const matches = limit === 1 ? [firstMatch(candidates, query)].filter((d): d is Doc => d !== undefined) : candidates.filter((d) => query.test(d));
      for (const doc of matches) {
        coll.remove(valueKey(doc._id));
        ctx.effects.push({ op: 'del', db: ctx.db, c: name, id: doc._id });
        n++;
      }
    } catch (err) {
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

export const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0]);
  const filter = optionalDoc(cmd, 'query') ?? {};
  const sort = optionalDoc(cmd, 'sort');
  const fields = optionalDoc(cmd, 'fields');
  const remove = cmd.remove === true;
  const spec = cmd.update as UpdateSpec | undefined;
  const returnNew = cmd.new === true;
  const upsert = cmd.upsert === true;
  const arrayFilters = cmd.arrayFilters as Doc[] | undefined;
  if (remove && spec !== undefined) throw fail('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && spec === undefined) throw fail('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && upsert) throw fail('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  if (remove && returnNew) throw fail('FailedToParse', 'Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');

  const query = compileFilter(filter);
  const coll = ctx.catalog.get(ctx.db, name);
  const walked = coll && sort ? orderedFind(coll, filter, query, { sort: cleanSort(sort), limit: 1 }) : null;
  const candidates = walked ?? (coll ? candidateDocs(coll, filter) : []);
  const found = walked ? walked[0] : sort ? runFind(candidates, query, { sort, limit: 1 })[0] : firstMatch(candidates, query);
  const project = (doc: Doc | undefined | null): Doc | null => (doc ? (fields ? runFind([doc], compileFilter({}), { projection: fields })[0] : doc) : null);

  if (remove) {
    if (!found || !coll) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    coll.remove(valueKey(found._id));
    ctx.effects.push({ op: 'del', db: ctx.db, c: name, id: found._id });
    return { lastErrorObject: { n: 1 }, value: project(found), ok: 1 };
  }
  if (found && coll) {
    const result = applyUpdate(found, spec as UpdateSpec, { arrayFilters, filter });
    if (result.modified) {
      coll.replace(valueKey(found._id), result.doc);
      put(ctx, coll, result.doc);
    }
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(returnNew ? result.doc : found), ok: 1 };
  }
  if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const doc = buildUpsert(filter, spec as UpdateSpec, arrayFilters);
  const target = coll ?? collectionForWrite(ctx, name);
  target.insert(doc);
  put(ctx, target, doc);
  return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: returnNew ? project(doc) : null, ok: 1 };
};
