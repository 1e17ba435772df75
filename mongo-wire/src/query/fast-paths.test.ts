/**
 * The shapes compiled without mingo (scalar `$eq`/`$in`, top-level null filters and `$ne`; top-level
 * `$inc`/`$set`/`$unset`/`$push`; top-level inclusion projections) must answer exactly as mingo does: each case runs both ways.
 */
import { ObjectId } from 'bson';
import { Query } from 'mingo';
import { update as mingoUpdate, type Modifier } from 'mingo/updater';
import { isEqual } from 'mingo/util';
import type { AnyObject } from 'mingo/types';
import { cloneDoc, type Doc } from '../storage/value.key';
import { compileFilter, runFind } from './mingo.adapter';
import { applyUpdate } from './update.engine';

const worker = new ObjectId();
const docs: Doc[] = [
  { _id: new ObjectId(), status: 'RUNNING', attempt: 1, workerId: worker, logBytes: 10, tags: ['a', 'b'], at: new Date(5), n: null },
  { _id: new ObjectId(), status: 'ASSIGNED', attempt: 2, workerId: new ObjectId(), logBytes: 0, tags: [], at: new Date(6) },
  { _id: 3, status: 'QUEUED', attempt: 1, tags: 'a', flag: true, logBytes: 'x' },
  { _id: 4, status: ['RUNNING', 'X'], attempt: 1.0, nested: { a: 1 } },
  { _id: 5, status: 'RUNNING', list: [1, null], n: {}, cancelRequestedAt: new Date(1) },
  { _id: 6, status: 'RUNNING', list: [], n: 0 },
  { _id: 7, status: 'QUEUED', notBefore: new Date(10), requirements: ['gpu', 'x'], sandbox: 'NONE' },
  { _id: 8, status: 'QUEUED', notBefore: new Date(2), requirements: ['gpu'], sandbox: null },
  { _id: 9, status: 'QUEUED', notBefore: null, requirements: [], sandbox: 'DOCKER' },
  { _id: 10, status: 'QUEUED', notBefore: 'soon', requirements: 'gpu', sandbox: ['NONE'] },
  { _id: 11, status: 'QUEUED', notBefore: [new Date(1), new Date(20)], requirements: [['gpu']] },
];
const t5 = new Date(5);

describe('scalar filters', () => {
  it.each<[string, Doc]>([
    ['equalities', { status: 'RUNNING', attempt: 1 }],
    ['$in of strings, an array field included', { status: { $in: ['ASSIGNED', 'RUNNING'] } }],
    ['$in against array elements', { tags: { $in: ['b', 'z'] } }],
    ['$in of ObjectIds and a number', { workerId: { $in: [worker, 7] } }],
    ['$eq of a Date', { at: { $eq: new Date(5) } }],
    ['$eq of a boolean', { flag: { $eq: true } }],
    ['an empty $in', { status: { $in: [] } }],
    ['a fence: _id, attempt, workerId, status $in', { _id: docs[0]._id, attempt: 1, workerId: worker, status: { $in: ['ASSIGNED', 'RUNNING'] } }],
    ['$in of null (not a scalar: mingo decides)', { n: { $in: [null] } }],
    ['$in with a regex (mingo decides)', { status: { $in: [/RUN/] } }],
    ['a null test: null or missing', { n: null }],
    ['$eq null', { flag: { $eq: null } }],
    ['$ne null', { n: { $ne: null } }],
    ['$ne null of a field some lack', { flag: { $ne: null } }],
    ['null against array fields (mingo decides per document)', { tags: null, status: { $ne: null } }],
    ['null against arrays holding null', { list: null }],
    ['$ne null against arrays holding null', { list: { $ne: null } }],
    ['a start fence: status, and no cancel requested', { _id: docs[0]._id, attempt: 1, workerId: worker, status: 'RUNNING', cancelRequestedAt: null }],
    ['a dotted null test (mingo decides)', { 'nested.a': null }],
    ['$in of scalars and null', { sandbox: { $in: ['NONE', null] } }],
    ['$in of scalars and null against array fields', { tags: { $in: ['a', null] } }],
    ['a time bound: $not $gt a Date', { notBefore: { $not: { $gt: t5 } } }],
    ['every element among these: $not $elemMatch $nin', { requirements: { $not: { $elemMatch: { $nin: ['gpu'] } } } }],
    ['every element among none', { requirements: { $not: { $elemMatch: { $nin: [] } } } }],
    ['a claim', { status: 'QUEUED', notBefore: { $not: { $gt: t5 } }, requirements: { $not: { $elemMatch: { $nin: ['gpu', 'x'] } } }, sandbox: { $in: ['NONE', null] } }],
    ['$not $gt a number (mingo decides)', { attempt: { $not: { $gt: 1 } } }],
    ['$ne a string, against missing, array and null fields', { status: { $ne: 'RUNNING' } }],
    ['$ne a string of a field some lack or hold arrays', { sandbox: { $ne: 'NONE' } }],
    ['$ne a number (1 and 1.0 are equal)', { attempt: { $ne: 1 } }],
    ['$ne a Date', { at: { $ne: new Date(5) } }],
    ['$ne an ObjectId', { workerId: { $ne: worker } }],
    ['$ne a value against an object and null', { n: { $ne: 0 } }],
    ['a touch: _id and status $ne', { _id: 3, status: { $ne: 'DELETED' } }],
  ])('%s', (_name, filter) => {
    const ours = docs.filter((d) => compileFilter(filter).test(d)).map((d) => d._id);
    const theirs = new Query(filter as AnyObject, {}).find<Doc>(docs as AnyObject[]).all().map((d) => d._id);
    expect(ours).toEqual(theirs);
  });
});

describe('top-level $inc, $set, $unset and $push', () => {
  /** What mingo alone makes of the update (as applyUpdate did before its fast path). */
  function viaMingo(doc: Doc, modifier: Doc): { doc: Doc; modified: boolean } | 'error' {
    const next = cloneDoc(doc);
    try {
      const changed = mingoUpdate(next as AnyObject, modifier as Modifier<AnyObject>, undefined, undefined, { cloneMode: 'copy' });
      return { doc: next, modified: changed.length > 0 };
    } catch {
      return 'error';
    }
  }
  const base: Doc = { _id: 1, logBytes: 5, name: 'x', at: new Date(1), zero: -0, obj: { a: 1 }, text: 'abc', list: [{ a: 0 }], leaseExpiresAt: new Date(4), attempts: [] };
  it.each<[string, Doc]>([
    ['an $inc', { $inc: { logBytes: 7 } }],
    ['an $inc by 0', { $inc: { logBytes: 0 } }],
    ['an $inc of a missing field', { $inc: { fresh: 3 } }],
    ['an $inc by 0 of a missing field', { $inc: { fresh: 0 } }],
    ['an $inc by a fraction', { $inc: { logBytes: 0.5 } }],
    ['a $set of new and existing fields', { $set: { b: null, name: 'y', a: 2 } }],
    ['a $set to the same values', { $set: { name: 'x', at: new Date(1), obj: { a: 1 }, zero: 0 } }],
    ['$set then $inc, new fields in operator order', { $set: { z: 1, a: 1 }, $inc: { m: 1, b: 2 } }],
    ['$inc then $set', { $inc: { m: 1 }, $set: { z: new Date(3) } }],
    ['an $inc of a string (mingo decides)', { $inc: { text: 1 } }],
    ['a dotted path (mingo decides)', { $set: { 'obj.a': 2 } }],
    ['a field named twice (mingo decides)', { $inc: { logBytes: 1 }, $set: { logBytes: 3 } }],
    ['an $unset of present and missing fields', { $unset: { name: 1, fresh: 1 } }],
    ['an $unset of a missing field only', { $unset: { fresh: '' } }],
    ['a $push onto an array', { $push: { list: { a: 1, at: new Date(2) } } }],
    ['a $push of a missing field', { $push: { fresh: 'v' } }],
    ['a $push of an array value', { $push: { list: [1, 2] } }],
    ["a job's end: $set, $unset and $push", { $set: { status: 'SUCCEEDED', finishedAt: new Date(9) }, $unset: { leaseExpiresAt: 1, error: 1 }, $push: { attempts: { attempt: 1, status: 'SUCCEEDED' } } }],
    ['a $push onto a non-array (mingo decides)', { $push: { name: 1 } }],
    ['a $push with $each (mingo decides)', { $push: { list: { $each: [1, 2] } } }],
    ['$unset then $set of new fields', { $unset: { text: 1 }, $set: { text2: 1 } }],
  ])('%s', (_name, modifier) => {
    const before = cloneDoc(base);
    const theirs = viaMingo(base, modifier);
    if (theirs === 'error') {
      expect(() => applyUpdate(base, modifier)).toThrow();
      return;
    }
    const ours = applyUpdate(base, modifier);
    expect(ours.modified).toBe(theirs.modified);
    expect(Object.keys(ours.doc)).toEqual(Object.keys(theirs.doc));
    expect(isEqual(ours.doc, theirs.doc)).toBe(true);
    expect(base).toEqual(before); // the stored document is never changed in place
  });
});

describe('top-level inclusion projections', () => {
  it.each<[string, Doc]>([
    ['two fields', { logBytes: 1, logTruncated: 1 }],
    ['fields given out of order, with true', { workerId: true, attempt: 1, status: 1 }],
    ['_id hidden', { status: 1, _id: 0 }],
    ['_id alone', { _id: 1 }],
    ['a missing field, a null one', { n: 1, nothing: 1 }],
    ['an exclusion (mingo decides)', { tags: 0 }],
    ['a dotted path (mingo decides)', { 'nested.a': 1 }],
  ])('%s', (_name, projection) => {
    for (const d of docs) {
      const ours = runFind([d], compileFilter({}), { projection })[0];
      const theirs = new Query({}, {}).find<Doc>([d] as AnyObject[], projection as AnyObject).all()[0];
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      expect(isEqual(ours, theirs)).toBe(true);
    }
  });
});
