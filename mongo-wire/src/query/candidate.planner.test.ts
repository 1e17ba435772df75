import { CollectionStore } from '../storage/collection.store';
import { candidateDocs, equalityKeys } from './candidate.planner';

function jobs(): CollectionStore {
  const coll = new CollectionStore('db', 'jobs');
  coll.createIndex({ key: { status: 1, priority: -1, queuedAt: 1 }, name: 'claim' });
  coll.createIndex({ key: { owner: 1 }, name: 'owner_1' });
  for (let i = 0; i < 1000; i++) coll.insert({ _id: i, status: i < 10 ? 'QUEUED' : 'DONE', priority: i % 3, owner: `u${i % 100}` });
  return coll;
}

test('equality on the prefix of a compound index narrows to the matching documents', () => {
  const coll = jobs();
  const claim = { status: 'QUEUED', notBefore: { $lte: new Date() }, requirements: { $not: { $elemMatch: { $nin: ['linux'] } } } };
  expect(candidateDocs(coll, claim)).toHaveLength(10);
});

test('_id, $in, $eq and $and use the maps; ranges and regexes scan', () => {
  const coll = jobs();
  expect(candidateDocs(coll, { _id: 5 })).toEqual([{ _id: 5, status: 'QUEUED', priority: 2, owner: 'u5' }]);
  expect(candidateDocs(coll, { _id: { $in: [1, 2, 5000] } })).toHaveLength(2);
  expect(candidateDocs(coll, { owner: { $eq: 'u7' } })).toHaveLength(10);
  // The smallest single index wins (a superset; the filter is applied afterwards).
  expect(candidateDocs(coll, { $and: [{ owner: 'u7' }, { status: 'DONE' }] })).toHaveLength(10);
  expect(candidateDocs(coll, { status: 'QUEUED', priority: 1 })).toHaveLength(10);
  expect(candidateDocs(coll, { owner: /u7/ })).toHaveLength(1000);
  expect(candidateDocs(coll, { priority: { $gte: 1 } })).toHaveLength(1000);
  expect(equalityKeys({ a: null, b: [1], c: { x: 1 }, d: { $in: [1, null] } }).size).toBe(0);
});
