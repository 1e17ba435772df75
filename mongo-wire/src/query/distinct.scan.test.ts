import { CollectionStore } from '../storage/collection.store';
import { pathValues, valueKey } from '../storage/value.key';
import { compileFilter } from './mingo.adapter';
import { candidateDocs } from './candidate.planner';
import { distinctScan } from './distinct.scan';

/** What the distinct command answers by visiting every matching document. */
function byVisiting(coll: CollectionStore, filter: Record<string, unknown>, field: string): string[] {
  const query = compileFilter(filter);
  const keys = new Set<string>();
  for (const d of candidateDocs(coll, filter)) if (query.test(d)) for (const v of pathValues(d, field)) if (v !== undefined) keys.add(valueKey(v));
  return [...keys].sort();
}

const keysOf = (vals: unknown[] | null) => (vals === null ? null : vals.map(valueKey).sort());

function queue(): CollectionStore {
  const coll = new CollectionStore('db', 'jobs');
  coll.createIndex({ key: { status: 1, kind: 1, priority: -1 }, name: 'claim' });
  const kinds: unknown[] = ['["linux"]', '["gpu","linux"]', 1, 1.0, new Date(7), '[]'];
  for (let i = 0; i < 3000; i++) {
    const doc: Record<string, unknown> = { _id: i, status: ['QUEUED', 'RUNNING', 'DONE'][i % 3], priority: i % 5 };
    if (i % 7 !== 0) doc.kind = kinds[i % kinds.length];
    coll.insert(doc);
  }
  return coll;
}

test('the values of the field after the pinned ones, as visiting every match gives them', () => {
  const coll = queue();
  for (const filter of [{ status: 'QUEUED' }, { status: { $eq: 'RUNNING' } }, { status: 'NONE' }]) {
    expect(keysOf(distinctScan(coll, filter, 'kind'))).toEqual(byVisiting(coll, filter, 'kind'));
  }
  // Nothing pinned: the index's first field.
  expect(keysOf(distinctScan(coll, {}, 'status'))).toEqual(['sDONE', 'sQUEUED', 'sRUNNING']);
});

test('missing and null share a bracket: null is a value only where one is stored', () => {
  const coll = new CollectionStore('db', 'c');
  coll.createIndex({ key: { s: 1, k: 1 }, name: 's_k' });
  coll.insert({ _id: 1, s: 'a', k: 'x' });
  coll.insert({ _id: 2, s: 'a' });
  expect(distinctScan(coll, { s: 'a' }, 'k')).toEqual(['x']);
  coll.insert({ _id: 3, s: 'a', k: null });
  expect(distinctScan(coll, { s: 'a' }, 'k')).toEqual([null, 'x']);
});

test('filters and indexes it cannot answer from are left to the visit', () => {
  const coll = queue();
  expect(distinctScan(coll, { status: 'QUEUED', priority: { $gt: 1 } }, 'kind')).toBeNull();
  expect(distinctScan(coll, { status: { $in: ['QUEUED', 'DONE'] } }, 'kind')).toBeNull();
  expect(distinctScan(coll, { status: 'QUEUED' }, 'priority')).toBeNull();
  expect(distinctScan(coll, { $or: [{ status: 'QUEUED' }] }, 'kind')).toBeNull();
  // A multikey index does not hold one entry per document.
  coll.insert({ _id: 'arr', status: 'QUEUED', kind: ['a', 'b'], priority: 0 });
  expect(distinctScan(coll, { status: 'QUEUED' }, 'kind')).toBeNull();
});
