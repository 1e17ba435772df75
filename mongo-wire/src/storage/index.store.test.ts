import { MongoCommandError } from '../errors';
import { CollectionStore } from './collection.store';
import { IndexStore } from './index.store';
import { ObjectId } from 'bson';
import { pathValues, valueKey } from './value.key';

test('compound index entries fan out over one array field', () => {
  const idx = new IndexStore({ key: { a: 1, b: 1 }, name: 'a_1_b_1' });
  expect(idx.entries({ a: 1, b: ['x', 'y'] }).map((e) => e.values)).toEqual([
    [1, 'x'],
    [1, 'y'],
  ]);
});

test('unique index: duplicate key error with keyPattern and keyValue', () => {
  const coll = new CollectionStore('db', 'c');
  coll.createIndex({ key: { email: 1 }, name: 'email_1', unique: true });
  coll.insert({ _id: 1, email: 'a@x' });
  let err: unknown;
  try {
    coll.insert({ _id: 2, email: 'a@x' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MongoCommandError);
  expect((err as MongoCommandError).toReply()).toMatchObject({
    code: 11000,
    keyPattern: { email: 1 },
    keyValue: { email: 'a@x' },
    errmsg: 'E11000 duplicate key error collection: db.c index: email_1 dup key: { email: "a@x" }',
  });
  expect(coll.docs.size).toBe(1);
  // Two documents without the field collide on null unless the index is sparse.
  coll.insert({ _id: 3 });
  expect(() => coll.insert({ _id: 4 })).toThrow(/dup key: \{ email: null \}/);
});

test('sparse and partial indexes leave out documents', () => {
  const sparse = new IndexStore({ key: { k: 1 }, name: 'k_1', sparse: true, unique: true });
  expect(sparse.entries({ other: 1 })).toEqual([]);
  const partial = new IndexStore({ key: { o: 1, k: 1 }, name: 'o_k', unique: true, partialFilterExpression: { k: { $exists: true } } });
  expect(partial.entries({ o: 1 })).toEqual([]);
  expect(partial.entries({ o: 1, k: 'x' })).toHaveLength(1);
  expect(partial.usableForLookup).toBe(false);
});

test('replace moves index entries; remove drops them', () => {
  const coll = new CollectionStore('db', 'c');
  coll.createIndex({ key: { s: 1, p: -1 }, name: 's_p' });
  const idx = coll.indexes.get('s_p')!;
  coll.insert({ _id: 1, s: 'Q', p: 1 });
  coll.insert({ _id: 2, s: 'Q', p: 2 });
  expect(idx.lookupPrefix([valueKey('Q')]).size).toBe(2);
  coll.replace(valueKey(1), { _id: 1, s: 'R', p: 1 });
  expect([...idx.lookupPrefix([valueKey('Q')])]).toEqual([valueKey(2)]);
  expect([...idx.lookupFull([[valueKey('R')], [valueKey(1)]])]).toEqual([valueKey(1)]);
  coll.remove(valueKey(2));
  expect(idx.lookupPrefix([valueKey('Q')]).size).toBe(0);
});

test('the ordered side follows inserts, replaces and removes, and goes multikey on an array', () => {
  const coll = new CollectionStore('db', 'c');
  coll.createIndex({ key: { s: 1, p: -1 }, name: 's_p' });
  const idx = coll.indexes.get('s_p')!;
  coll.insert({ _id: 1, s: 'Q', p: 1 });
  coll.insert({ _id: 2, s: 'Q', p: 2 });
  coll.insert({ _id: 3, s: 'A', p: 0 });
  const order = () => idx.ordered.entries().map((e) => e.id);
  expect(order()).toEqual([valueKey(3), valueKey(2), valueKey(1)]);
  coll.replace(valueKey(3), { _id: 3, s: 'Z', p: 0 });
  coll.replace(valueKey(1), { _id: 1, s: 'Q', p: 1, other: true });
  expect(order()).toEqual([valueKey(2), valueKey(1), valueKey(3)]);
  coll.remove(valueKey(2));
  expect(order()).toEqual([valueKey(1), valueKey(3)]);
  expect(idx.walkable).toBe(true);
  coll.insert({ _id: 4, s: ['Q', 'R'], p: 5 });
  expect(idx.ordered.size).toBe(4);
  expect(idx.walkable).toBe(false);
  coll.remove(valueKey(4));
  // Like mongod, an index stays multikey once it has been.
  expect(idx.walkable).toBe(false);
});

test('a replace that leaves indexed fields as they were skips the index; one that changes them moves the entry', () => {
  const coll = new CollectionStore('db', 'c');
  coll.createIndex({ key: { status: 1, 'lease.at': 1 }, name: 'status_lease' });
  coll.createIndex({ key: { owner: 1 }, name: 'owner_1', partialFilterExpression: { kind: 'x' } });
  const lease = { at: 1 };
  coll.insert({ _id: 1, status: 'A', lease, owner: 'o', kind: 'x', n: 0 });
  const [byStatus, byOwner] = coll.indexSpecs().slice(1).map((s) => (coll as unknown as { indexes: Map<string, IndexStore> }).indexes.get(s.name)!);
  const prev = coll.get(valueKey(1))!;
  // Same objects in the indexed fields: nothing to recompute (the partial index always checks).
  expect(byStatus.sameEntries(prev, { ...prev, n: 1 })).toBe(true);
  expect(byOwner.sameEntries(prev, { ...prev, n: 1 })).toBe(false);
  expect(byStatus.sameEntries(prev, { ...prev, lease: { at: 1 } })).toBe(false);
  const { lease: _l, ...noLease } = prev;
  expect(byStatus.sameEntries(prev, noLease)).toBe(false);

  coll.replace(valueKey(1), { ...prev, n: 1 });
  expect([...byStatus.lookupFull([[valueKey('A')], [valueKey(1)]])]).toEqual([valueKey(1)]);
  coll.replace(valueKey(1), { ...coll.get(valueKey(1))!, status: 'B', kind: 'y' });
  expect(byStatus.lookupFull([[valueKey('A')], [valueKey(1)]]).size).toBe(0);
  expect([...byStatus.lookupFull([[valueKey('B')], [valueKey(1)]])]).toEqual([valueKey(1)]);
  expect(byStatus.ordered.entries().map((e) => e.id)).toEqual([valueKey(1)]);
  // Out of the partial index once its filter no longer holds.
  expect(byOwner.lookupFull([[valueKey('o')]]).size).toBe(0);
});

test('a key held by one document, then several, then one again answers lookups and uniqueness alike', () => {
  const coll = new CollectionStore('db', 'c');
  coll.createIndex({ key: { k: 1 }, name: 'k_1' });
  coll.createIndex({ key: { u: 1 }, name: 'u_1', unique: true });
  const idx = coll.indexes.get('k_1')!;
  const held = () => [...idx.lookupFull([[valueKey('x')]])].sort();
  coll.insert({ _id: 1, k: 'x', u: 1 });
  expect(held()).toEqual([valueKey(1)]);
  coll.insert({ _id: 2, k: 'x', u: 2 });
  coll.insert({ _id: 3, k: 'x', u: 3 });
  expect(held()).toEqual([valueKey(1), valueKey(2), valueKey(3)].sort());
  coll.replace(valueKey(2), { _id: 2, k: 'y', u: 2 });
  coll.remove(valueKey(1));
  expect(held()).toEqual([valueKey(3)]);
  expect([...idx.lookupPrefix([valueKey('x'), valueKey('y')])].sort()).toEqual([valueKey(2), valueKey(3)].sort());
  coll.remove(valueKey(3));
  expect(held()).toEqual([]);
  // The unique index: a document keeps its own key, another may not take it, a freed key is free.
  coll.replace(valueKey(2), { _id: 2, k: 'z', u: 2 });
  expect(() => coll.insert({ _id: 4, u: 2 })).toThrow(/dup key: \{ u: 2 \}/);
  coll.replace(valueKey(2), { _id: 2, k: 'z', u: 5 });
  coll.insert({ _id: 4, u: 2 });
  expect(coll.docs.size).toBe(2);
});

test('entries of documents without arrays on the paths: one entry, the same as the general multikey walk gives', () => {
  const idx = new IndexStore({ key: { s: 1, 'a.b': -1, 'a.c.d': 1 }, name: 'compound' });
  // The general walk, written out: every combination of each path's distinct values (pathValues).
  const distinct = (vals: unknown[]) => [...new Map(vals.map((v) => [valueKey(v), v])).values()];
  const walk = (doc: Record<string, unknown>) => {
    const per = idx.fields.map((f) => distinct(pathValues(doc, f)));
    return per.reduce<unknown[][]>((acc, vals) => acc.flatMap((c) => vals.map((v) => [...c, v])), [[]]);
  };
  const id = new ObjectId();
  const docs: Array<Record<string, unknown>> = [
    { s: 'Q', a: { b: 2, c: { d: new Date(5) } } },
    { s: null, a: { b: id } },
    {},
    { s: 'Q', a: 'not an object' },
    { s: { nested: [1] }, a: { c: null } },
    { s: 'Q', a: { b: [1, 2], c: { d: 3 } } },
    { s: 'Q', a: [{ b: 1 }, { b: 2 }] },
    { s: [], a: { b: 1 } },
  ];
  for (const doc of docs) {
    const got = idx.entries(doc);
    const want = walk(doc);
    expect(got.map((e) => e.values)).toEqual(want);
    expect(got.map((e) => e.key)).toEqual(want.map((vals) => vals.map(valueKey).join('\u0000')));
    expect(got.map((e) => e.first)).toEqual(want.map((vals) => valueKey(vals[0])));
  }
  // A sparse index leaves out a document with none of its fields, either way.
  const sparse = new IndexStore({ key: { x: 1, y: 1 }, name: 'x_y', sparse: true });
  expect(sparse.entries({ z: 1 })).toEqual([]);
  expect(sparse.entries({ y: null })).toHaveLength(1);
});
