import { isEqual } from 'mingo/util';
import { fail } from '../errors';
import { compileFilter, runFind } from '../query/mingo.adapter';
import { ID_INDEX_SPEC } from '../storage/collection.store';
import { defaultIndexName, type IndexSpec } from '../storage/index.store';
import { type Doc, isPlainObject } from '../storage/value.key';
import { type CommandHandler, collectionForWrite, collectionName, optionalDoc } from './command.context';
import { listCursor } from './read.commands';

export const create: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'create');
  if (ctx.catalog.get(ctx.db, name)) throw fail('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  const options: Doc = {};
  for (const [k, v] of Object.entries(cmd)) {
    if (k === 'create' || k.startsWith('$') || ['lsid', 'writeConcern', 'readConcern', 'comment', 'maxTimeMS', 'txnNumber', 'apiVersion', 'apiStrict', 'apiDeprecationErrors'].includes(k)) continue;
    options[k] = v;
  }
  ctx.catalog.ensure(ctx.db, name, options);
  ctx.effects.push({ op: 'createColl', db: ctx.db, c: name, options });
  return { ok: 1 };
};

export const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'drop');
  const coll = ctx.catalog.get(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', 'ns not found');
  const nIndexesWas = coll.indexes.size + 1;
  ctx.catalog.dropCollection(ctx.db, name);
  ctx.effects.push({ op: 'dropColl', db: ctx.db, c: name });
  return { ns: coll.ns, nIndexesWas, ok: 1 };
};

export const dropDatabase: CommandHandler = (_cmd, ctx) => {
  if (ctx.catalog.dropDatabase(ctx.db)) ctx.effects.push({ op: 'dropDb', db: ctx.db });
  return { dropped: ctx.db, ok: 1 };
};

export const listCollections: CommandHandler = (cmd, ctx) => {
  const filter = optionalDoc(cmd, 'filter');
  const nameOnly = cmd.nameOnly === true;
  const all = ctx.catalog.collections(ctx.db).map((c) =>
    nameOnly
      ? { name: c.name, type: 'collection' }
      : { name: c.name, type: 'collection', options: c.options, info: { readOnly: false }, idIndex: ID_INDEX_SPEC },
  );
  const docs = filter ? runFind(all, compileFilter(filter), {}) : all;
  return { cursor: listCursor(ctx, `${ctx.db}.$cmd.listCollections`, docs, cmd), ok: 1 };
};

export const listDatabases: CommandHandler = (cmd, ctx) => {
  const all = ctx.catalog.databaseNames().map((name) => ({
    name,
    sizeOnDisk: 0,
    empty: ctx.catalog.collections(name).every((c) => c.docs.size === 0),
  }));
  const filter = optionalDoc(cmd, 'filter');
  const dbs = filter ? runFind(all, compileFilter(filter), {}) : all;
  if (cmd.nameOnly === true) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
  return { databases: dbs, totalSize: 0, totalSizeMb: 0, ok: 1 };
};

/** Options whose difference makes two same-named indexes different indexes. */
const MEANINGFUL_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation'];

function normaliseSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) throw fail('TypeMismatch', 'index specification must be an object');
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) throw fail('BadValue', 'Index key pattern must be a non-empty object');
  for (const [f, dir] of Object.entries(key)) {
    const ok = (typeof dir === 'number' && dir !== 0 && !Number.isNaN(dir)) || typeof dir === 'string';
    if (!ok || f.length === 0) throw fail('BadValue', `Values in the index key pattern can't be 0 or empty: ${f}`);
  }
  const name = raw.name === undefined ? defaultIndexName(key) : raw.name;
  if (typeof name !== 'string' || name.length === 0) throw fail('TypeMismatch', 'index name must be a string');
  const spec: IndexSpec = { v: 2, key, name };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'key' || k === 'name' || k === 'v' || k === 'ns' || k === 'background') continue;
    spec[k] = v;
  }
  if (spec.unique === false) delete spec.unique;
  if (spec.sparse === false) delete spec.sparse;
  return spec;
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return MEANINGFUL_OPTIONS.every((o) => isEqual(a[o] ?? null, b[o] ?? null));
}

export const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'createIndexes');
  const list = cmd.indexes;
  if (!Array.isArray(list) || list.length === 0) throw fail('BadValue', "Must specify at least one index to create");
  const specs = list.map(normaliseSpec);
  const createdCollectionAutomatically = !ctx.catalog.get(ctx.db, name);
  const coll = collectionForWrite(ctx, name);
  const numIndexesBefore = coll.indexes.size + 1;
  let note: string | undefined;
  for (const spec of specs) {
    if (spec.name === '_id_' || (Object.keys(spec.key).length === 1 && spec.key._id !== undefined && !spec.unique && !spec.partialFilterExpression)) {
      note = 'all indexes already exist';
      continue;
    }
    const sameName = coll.indexes.get(spec.name);
    if (sameName) {
      if (!isEqual(sameName.spec.key, spec.key)) {
        throw fail('IndexKeySpecsConflict', `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
      }
      if (!sameOptions(sameName.spec, spec)) {
        throw fail('IndexOptionsConflict', `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
      }
      note = 'all indexes already exist';
      continue;
    }
    const sameKey = [...coll.indexes.values()].find((i) => isEqual(i.spec.key, spec.key) && sameOptions(i.spec, spec));
    if (sameKey) throw fail('IndexOptionsConflict', `Index already exists with a different name: ${sameKey.name}`);
    coll.createIndex(spec);
    ctx.effects.push({ op: 'createIndex', db: ctx.db, c: name, spec });
  }
  const reply: Doc = { numIndexesBefore, numIndexesAfter: coll.indexes.size + 1, createdCollectionAutomatically };
  if (note && coll.indexes.size + 1 === numIndexesBefore) reply.note = note;
  reply.ok = 1;
  return reply;
};

export const listIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'listIndexes');
  const coll = ctx.catalog.get(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  return { cursor: listCursor(ctx, `${ctx.db}.$cmd.listIndexes.${name}`, coll.indexSpecs(), cmd), ok: 1 };
};

export const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0]);
  const coll = ctx.catalog.get(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.size + 1;
  const target = cmd.index;
  let names: string[];
  if (target === '*') names = [...coll.indexes.keys()];
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target) && target.every((t) => typeof t === 'string')) names = target as string[];
  else if (isPlainObject(target)) {
    const found = [...coll.indexes.values()].find((i) => isEqual(i.spec.key, target));
    if (!found) throw fail('IndexNotFound', `can't find index with key: ${JSON.stringify(target)}`);
    names = [found.name];
  } else throw fail('TypeMismatch', "'index' must be a string, an array of strings or an object");
  for (const n of names) {
    if (n === '_id_') throw fail('InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.has(n)) throw fail('IndexNotFound', `index not found with name [${n}]`);
  }
  for (const n of names) {
    coll.dropIndex(n);
    ctx.effects.push({ op: 'dropIndex', db: ctx.db, c: name, name: n });
  }
  return { nIndexesWas, ok: 1 };
};
