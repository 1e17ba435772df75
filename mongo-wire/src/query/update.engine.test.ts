import { ObjectId } from 'bson';
import { MongoCommandError } from '../errors';
import { applyUpdate, buildUpsert, seedFromFilter } from './update.engine';

test('$setOnInsert applies only on insert; the input document is never mutated', () => {
  const doc = { _id: 1, n: 1 };
  const res = applyUpdate(doc, { $inc: { n: 1 }, $setOnInsert: { created: true } });
  expect(res).toEqual({ doc: { _id: 1, n: 2 }, modified: true });
  expect(doc).toEqual({ _id: 1, n: 1 });
  expect(buildUpsert({ key: 'k' }, { $inc: { n: 1 }, $setOnInsert: { created: true } })).toMatchObject({ key: 'k', n: 1, created: true });
});

test('_id: same value allowed, a new one refused', () => {
  const id = new ObjectId();
  expect(applyUpdate({ _id: id, a: 1 }, { $set: { _id: new ObjectId(id.toHexString()), a: 2 } }).doc).toEqual({ _id: id, a: 2 });
  expect(() => applyUpdate({ _id: id }, { $set: { _id: new ObjectId() } })).toThrow(MongoCommandError);
  expect(() => applyUpdate({ _id: id }, { _id: new ObjectId(), a: 1 })).toThrow(/immutable/);
});

test('replacement keeps _id; no-op updates report no modification', () => {
  expect(applyUpdate({ _id: 1, a: 1, b: 2 }, { c: 3 })).toEqual({ doc: { _id: 1, c: 3 }, modified: true });
  expect(applyUpdate({ _id: 1, a: 1 }, { $set: { a: 1 } }).modified).toBe(false);
});

test('upserts seed from filter equalities and put _id first', () => {
  expect(seedFromFilter({ a: 1, 'b.c': 'x', d: { $gt: 1 }, e: { $eq: 2 }, $and: [{ f: 3 }], $or: [{ g: 1 }] })).toEqual({ a: 1, b: { c: 'x' }, e: 2, f: 3 });
  const doc = buildUpsert({ a: 1 }, { $set: { b: 2 } });
  expect(Object.keys(doc)).toEqual(['_id', 'a', 'b']);
  expect(doc._id).toBeInstanceOf(ObjectId);
  expect(buildUpsert({ _id: 7 }, { x: 1 })).toEqual({ _id: 7, x: 1 });
});

test('unknown modifiers fail with FailedToParse (9)', () => {
  expect(() => applyUpdate({ _id: 1 }, { $frob: { a: 1 } })).toThrow(expect.objectContaining({ code: 9 }));
});
