import { Decimal128, Long, ObjectId } from 'bson';
import { cloneDoc, pathValues, valueKey } from './value.key';

describe('valueKey', () => {
  test('equal BSON values share a key, different ones do not', () => {
    const id = new ObjectId();
    expect(valueKey(id)).toBe(valueKey(new ObjectId(id.toHexString())));
    expect(valueKey(id)).not.toBe(valueKey(new ObjectId()));
    expect(valueKey(1)).toBe(valueKey(Long.fromNumber(1)));
    expect(valueKey(1)).toBe(valueKey(Decimal128.fromString('1')));
    expect(valueKey(null)).toBe(valueKey(undefined));
    expect(valueKey('1')).not.toBe(valueKey(1));
    expect(valueKey(new Date(5))).toBe(valueKey(new Date(5)));
    expect(valueKey({ a: 1, b: 2 })).not.toBe(valueKey({ b: 2, a: 1 })); // field order matters in MongoDB
  });
});

describe('pathValues', () => {
  test('follows dotted paths through arrays like a multikey index', () => {
    const doc = { a: { b: 1 }, tags: ['x', 'y'], items: [{ k: 1 }, { k: 2 }, { z: 0 }], empty: [] };
    expect(pathValues(doc, 'a.b')).toEqual([1]);
    expect(pathValues(doc, 'tags')).toEqual(['x', 'y']);
    expect(pathValues(doc, 'items.k')).toEqual([1, 2]);
    expect(pathValues(doc, 'items.1.k')).toEqual([2]);
    expect(pathValues(doc, 'missing.x')).toEqual([undefined]);
    expect(pathValues(doc, 'empty')).toEqual([undefined]);
  });
});

test('cloneDoc copies containers and keeps BSON classes', () => {
  const doc = { id: new ObjectId(), at: new Date(1), list: [{ n: 1 }] };
  const copy = cloneDoc(doc);
  expect(copy).toEqual(doc);
  expect(copy.id).toBeInstanceOf(ObjectId);
  expect(copy.list[0]).not.toBe(doc.list[0]);
  expect(copy.at).not.toBe(doc.at);
});
