import { Binary, BSON, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { cloneIn, cloneOut } from './bson-clone';

/** What the server decodes from what the driver sends (its defaults: undefined as null, functions left out). */
const overTheWireIn = (doc: Record<string, unknown>): Record<string, unknown> =>
  BSON.deserialize(BSON.serialize(doc, { ignoreUndefined: false }), { promoteLongs: true, promoteValues: true, promoteBuffers: false });
/** What the driver decodes from what the server sends (the server's encoder leaves undefined out). */
const overTheWireOut = (doc: Record<string, unknown>): Record<string, unknown> =>
  BSON.deserialize(BSON.serialize(doc, { ignoreUndefined: true }), { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false });

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const command = () => ({
  update: 'jobs',
  updates: [
    {
      q: { _id: new ObjectId('65f0a1b2c3d4e5f601234567'), status: { $in: ['QUEUED', 'ASSIGNED'] }, attempt: 2 },
      u: { $set: { updatedAt: new Date(1_700_000_000_123), leaseToken: 'abc', exitCode: -0, ratio: 0.25, big: 2 ** 40, gone: undefined, fn: () => 1 } },
    },
  ],
  ordered: false,
  nested: { list: [1, undefined, 'two', null, [3, { deep: true }]], empty: {}, nothing: null },
  bytes: Buffer.from('héllo'),
  view: new Uint8Array([1, 2, 3]),
  binary: new Binary(Buffer.from([9, 8, 7]), 4),
  long: Long.fromNumber(42),
  hugeLong: Long.fromString('9007199254740993'),
  decimal: Decimal128.fromString('1.5'),
  ts: new Timestamp({ t: 5, i: 1 }),
  regex: /a.b/i,
  instance: new Point(1, 2),
  withToBson: { toBSON: () => ({ as: 'bson' }) },
  nullProto: Object.assign(Object.create(null), { a: 1 }),
});

describe('cloneIn: a command as the server decodes it from the wire', () => {
  test('every kind of value comes out as decoding would make it', () => {
    expect(cloneIn(command())).toStrictEqual(overTheWireIn(command()));
  });

  test('the copy shares no container or Date with the caller', () => {
    const original = command();
    const copy = cloneIn(original) as ReturnType<typeof command>;
    original.updates[0].u.$set.updatedAt.setTime(0);
    original.nested.list.push('later');
    original.bytes[0] = 0;
    expect(copy.updates[0].u.$set.updatedAt.getTime()).toBe(1_700_000_000_123);
    expect(copy.nested.list).toHaveLength(5);
    expect(Buffer.from((copy.bytes as unknown as Binary).value()).toString()).toBe('héllo');
  });
});

describe('cloneOut: a reply as the driver decodes it from the wire', () => {
  // What the store holds: values as they were decoded when they came in.
  const stored = () => overTheWireIn(command());

  test('every kind of stored value comes out as decoding would make it', () => {
    const reply = { ok: 1, value: stored(), absent: undefined, cursor: { id: Long.fromNumber(0), firstBatch: [stored()] } };
    expect(cloneOut(reply)).toStrictEqual(overTheWireOut(reply));
  });

  test('changing the copy leaves the stored document alone', () => {
    const doc = stored();
    const copy = cloneOut(doc) as Record<string, any>;
    copy.updates[0].u.$set.updatedAt.setTime(0);
    copy.nested.list.length = 0;
    copy.id = 'added by the caller';
    (copy.bytes as Binary).value()[0] = 0;
    expect(doc).toStrictEqual(overTheWireIn(command()));
  });
});
