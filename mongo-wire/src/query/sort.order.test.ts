import { ObjectId } from 'bson';
import { compareValues, sortDocs } from './sort.order';

test('BSON type order, then values', () => {
  const id = new ObjectId();
  const ordered = [null, -1, 2.5, 'a', 'b', { x: 1 }, [1], id, false, true, new Date(0), new Date(5)];
  for (let i = 0; i < ordered.length - 1; i++) expect(compareValues(ordered[i], ordered[i + 1])).toBeLessThan(0);
  expect(compareValues(undefined, null)).toBe(0);
  expect(compareValues(2, 2.0)).toBe(0);
});

test('multi-key sorts, missing fields first ascending, arrays by min/max', () => {
  const docs = [
    { _id: 1, p: 1, t: new Date(3) },
    { _id: 2, p: 5, t: new Date(2) },
    { _id: 3, p: 5, t: new Date(1) },
    { _id: 4, t: new Date(0) },
  ];
  expect(sortDocs(docs, { p: -1, t: 1 }).map((d) => d._id)).toEqual([3, 2, 1, 4]);
  expect(sortDocs(docs, { p: 1 }).map((d) => d._id)).toEqual([4, 1, 2, 3]);
  const arrays = [{ _id: 'a', v: [5, 1] }, { _id: 'b', v: [3] }, { _id: 'c', v: [2, 9] }];
  expect(sortDocs(arrays, { v: 1 }).map((d) => d._id)).toEqual(['a', 'c', 'b']);
  expect(sortDocs(arrays, { v: -1 }).map((d) => d._id)).toEqual(['c', 'a', 'b']);
});
