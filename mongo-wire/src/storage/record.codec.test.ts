import { ObjectId } from 'bson';
import { decodeRecords, encodeRecord } from './record.codec';

test('records round-trip and a torn or corrupted tail is cut off', () => {
  const id = new ObjectId();
  const a = encodeRecord({ e: [{ op: 'put', db: 'd', c: 'c', doc: { _id: id, n: 1 } }] });
  const b = encodeRecord({ e: [{ op: 'del', db: 'd', c: 'c', id }] });
  const whole = Buffer.concat([a, b]);
  const decoded = decodeRecords(whole);
  expect(decoded.validBytes).toBe(whole.length);
  expect(decoded.records).toHaveLength(2);
  expect(String((decoded.records[0].e as Array<{ doc: { _id: ObjectId } }>)[0].doc._id)).toBe(String(id));

  expect(decodeRecords(whole.subarray(0, whole.length - 3))).toMatchObject({ validBytes: a.length });
  const flipped = Buffer.from(whole);
  flipped[a.length + 12] ^= 0xff;
  expect(decodeRecords(flipped).records).toHaveLength(1);
});
