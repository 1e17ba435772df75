import { Decimal128, Long, ObjectId } from 'bson';
import { cloneDoc, compareObjectIds, pathValues, valueKey } from './value.key';

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

describe('ObjectId keys and order', () => {
  test('one key per id, and keys and compareObjectIds both in byte order', () => {
    const hexes = ['000000000000000000000000', '0000000000000000000000ff', '00000000000000000000ff00', 'ffffffffffffffffffffffff', '7fffff7fffff7fffff7fffff', '800000800000800000800000'];
    for (let i = 0; i < 200; i++) hexes.push(new ObjectId().toHexString(), Buffer.from(Array.from({ length: 12 }, () => Math.floor(Math.random() * 256))).toString('hex'));
    const ids = hexes.map((h) => new ObjectId(h));
    const sign = (n: number) => Math.sign(n);
    for (let i = 1; i < ids.length; i++) {
      const [a, b] = [ids[i - 1]!, ids[i]!];
      const bytes = sign(Buffer.compare(Buffer.from(a.toHexString(), 'hex'), Buffer.from(b.toHexString(), 'hex')));
      expect(sign(compareObjectIds(a, b))).toBe(bytes);
      expect(sign(valueKey(a) < valueKey(b) ? -1 : valueKey(a) > valueKey(b) ? 1 : 0)).toBe(bytes);
      expect(valueKey(a) === valueKey(new ObjectId(a.toHexString()))).toBe(true);
      expect(valueKey(a) === valueKey(b)).toBe(a.toHexString() === b.toHexString());
    }
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
