import { Decimal128, Long, MongoClient, MongoServerError, ObjectId, type Db } from 'mongodb';
import { startTestMongo, type TestMongo } from '@cmd-executor/test-support/test-mongo';

let target: TestMongo;
let client: MongoClient;
let db: Db;
const started: Array<{ commandName: string }> = [];

beforeAll(async () => {
  target = await startTestMongo('driver');
  client = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000, monitorCommands: true });
  client.on('commandStarted', (e) => started.push({ commandName: e.commandName }));
  await client.connect();
  db = client.db(target.dbName);
});

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined);
  await client?.close();
  await target?.close();
});

async function serverError(p: Promise<unknown>): Promise<MongoServerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MongoServerError) return err;
    throw err;
  }
  throw new Error('expected a server error');
}

describe('handshake and admin commands', () => {
  test('hello describes a writable standalone with sessions', async () => {
    const hello = await db.admin().command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true, minWireVersion: 0 });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(typeof hello.logicalSessionTimeoutMinutes).toBe('number');
    expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    if (target.embedded) {
      expect(hello).not.toHaveProperty('$clusterTime');
      expect(hello).not.toHaveProperty('topologyVersion');
      expect(hello).not.toHaveProperty('setName');
    }
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const info = await db.admin().buildInfo();
    expect(info.version).toMatch(/^\d+\.\d+/);
  });

  test('unknown commands fail with 59 CommandNotFound', async () => {
    const err = await serverError(db.command({ noSuchCommandHere: 1 }));
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
  });

  test('create on an existing collection fails with 48; listIndexes on a missing one with 26', async () => {
    await db.createCollection('created');
    const exists = await serverError(db.command({ create: 'created' }));
    expect(exists.code).toBe(48);
    expect(exists.codeName).toBe('NamespaceExists');
    const missing = await serverError(db.command({ listIndexes: 'nope' }));
    expect(missing.code).toBe(26);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain('created');
    // Through getMore on the listCollections cursor namespace.
    await Promise.all(Array.from({ length: 5 }, (_, i) => db.createCollection(`paged${i}`)));
    const paged = await db.listCollections({ name: /^paged/ }, { batchSize: 2 }).toArray();
    expect(paged.map((c) => c.name).sort()).toEqual(['paged0', 'paged1', 'paged2', 'paged3', 'paged4']);
    const dbs = await db.admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(target.dbName);
  });

  test('transactions are refused like a standalone mongod does (20 IllegalOperation)', async () => {
    const hello = await db.admin().command({ hello: 1 });
    if (hello.setName || hello.msg === 'isdbgrid') return; // a replica set supports them; nothing to check
    const coll = db.collection('tx');
    const session = client.startSession();
    try {
      session.startTransaction();
      const err = await serverError(coll.insertOne({ a: 1 }, { session }));
      // The driver rewraps mongod's 20 as "does not support retryable writes" and keeps the original.
      const original = (err as MongoServerError & { originalError?: MongoServerError }).originalError;
      expect(err.code ?? original?.code).toBe(20);
    } finally {
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(0);
    if (target.embedded) {
      expect((await serverError(db.admin().command({ commitTransaction: 1 }))).code).toBe(20);
      expect((await serverError(db.admin().command({ abortTransaction: 1 }))).code).toBe(20);
    }
  });
});

describe('indexes', () => {
  test('createIndexes is idempotent, conflicts are reported, dropIndexes by name', async () => {
    const coll = db.collection('idx');
    expect(await coll.createIndex({ a: 1 }, { unique: true })).toBe('a_1');
    expect(await coll.createIndex({ a: 1 }, { unique: true })).toBe('a_1');
    const conflict = await serverError(coll.createIndex({ a: 1 }, { name: 'a_1', sparse: true }));
    expect([85, 86]).toContain(conflict.code);
    await coll.createIndex({ b: 1, c: -1 });
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'a_1', 'b_1_c_-1']);
    await coll.dropIndex('b_1_c_-1');
    const gone = await serverError(coll.dropIndex('b_1_c_-1'));
    expect(gone.code).toBe(27);
    const idDrop = await serverError(coll.dropIndex('_id_'));
    expect(idDrop.code).toBe(72);
  });

  test('building a unique index over duplicates fails with 11000', async () => {
    const coll = db.collection('idx_dups');
    await coll.insertMany([{ a: 1 }, { a: 1 }]);
    const err = await serverError(coll.createIndex({ a: 1 }, { unique: true }));
    expect(err.code).toBe(11000);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  test('findAndModify reports a duplicate key at the top level (11000 DuplicateKey)', async () => {
    const coll = db.collection('fam_dup');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertMany([{ email: 'a' }, { email: 'b' }]);
    const err = await serverError(coll.findOneAndUpdate({ email: 'b' }, { $set: { email: 'a' } }));
    expect(err.code).toBe(11000);
    expect(err.codeName).toBe('DuplicateKey');
    expect(err.errmsg).toMatch(/^E11000 duplicate key error collection: .*fam_dup index: email_1 dup key: \{ email: "a" \}/);
    expect(err.keyValue).toEqual({ email: 'a' });
    const upd = await coll.updateOne({ email: 'b' }, { $set: { email: 'a' } }).catch((e: unknown) => e as MongoServerError);
    expect(upd).toMatchObject({ code: 11000, keyValue: { email: 'a' } });
  });

  test('insertMany ordered stops at the duplicate and reports its index', async () => {
    const coll = db.collection('dup_ids');
    const id = new ObjectId();
    try {
      await coll.insertMany([{ _id: new ObjectId() }, { _id: id }, { _id: id }, { _id: new ObjectId() }]);
      throw new Error('expected a bulk write error');
    } catch (err) {
      const e = err as { code: number; insertedCount: number; writeErrors: Array<{ index: number; code: number }> };
      expect(e.code).toBe(11000);
      expect(e.insertedCount).toBe(2);
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
      expect(writeErrors[0]).toMatchObject({ index: 2, code: 11000 });
    }
    expect(await coll.countDocuments()).toBe(2);
  });
});

describe('values and operators', () => {
  test('BSON types round-trip', async () => {
    const coll = db.collection('types');
    const doc = {
      _id: new ObjectId(),
      big: Long.fromString('9007199254740993'),
      dec: Decimal128.fromString('12.3400'),
      when: new Date('2024-01-02T03:04:05.006Z'),
      bytes: Buffer.from([1, 2, 3]),
      nested: { arr: [1, 'two', { three: 3 }], nil: null },
      float: 1.5,
    };
    await coll.insertOne(doc);
    const got = await coll.findOne({ _id: doc._id }, { promoteLongs: false });
    expect(got?.big.toString()).toBe('9007199254740993');
    expect(got?.dec.toString()).toBe('12.3400');
    expect(got?.when.toISOString()).toBe('2024-01-02T03:04:05.006Z');
    expect(Buffer.from(got?.bytes.buffer).equals(Buffer.from([1, 2, 3]))).toBe(true);
    expect(got?.nested).toEqual({ arr: [1, 'two', { three: 3 }], nil: null });
    expect(got?.float).toBe(1.5);
  });

  test('update operators', async () => {
    const coll = db.collection('ops');
    const { insertedId } = await coll.insertOne({ n: 5, tags: ['a', 'b'], old: 1, nums: [1, 2, 3, 4] });
    await coll.updateOne(
      { _id: insertedId },
      { $inc: { n: 2 }, $addToSet: { tags: { $each: ['b', 'c'] } }, $rename: { old: 'renamed' }, $currentDate: { at: true }, $pull: { nums: { $gte: 3 } } as never },
    );
    await coll.updateOne({ _id: insertedId }, { $mul: { n: 2 }, $min: { lo: 3 }, $max: { hi: 9 }, $pop: { tags: -1 }, $unset: { renamed: '' } });
    const got = await coll.findOne({ _id: insertedId });
    expect(got).toMatchObject({ n: 14, tags: ['b', 'c'], nums: [1, 2], lo: 3, hi: 9 });
    expect(got).not.toHaveProperty('renamed');
    expect(got?.at).toBeInstanceOf(Date);
  });

  test('$set of _id: same value is a no-op, another value is refused (66)', async () => {
    const coll = db.collection('ids');
    const { insertedId } = await coll.insertOne({ a: 1 });
    const same = await coll.updateOne({ _id: insertedId }, { $set: { _id: insertedId, a: 2 } });
    expect(same.modifiedCount).toBe(1);
    const err = await serverError(coll.updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } }));
    expect(err.code).toBe(66);
    const replace = await serverError(coll.replaceOne({ _id: insertedId }, { _id: new ObjectId(), a: 3 }));
    expect(replace.code).toBe(66);
  });

  test('unknown query operators fail with 2 BadValue, unknown update modifiers with 9', async () => {
    const coll = db.collection('ops');
    const q = await serverError(coll.find({ a: { $nosuch: 1 } }).toArray());
    expect(q.code).toBe(2);
    const u = await serverError(coll.updateOne({}, { $nosuch: { a: 1 } } as never));
    expect(u.code).toBe(9);
    const stage = await serverError(coll.aggregate([{ $nosuch: {} }]).toArray());
    expect(stage.code).toBe(40324);
    const expr = await serverError(coll.aggregate([{ $project: { x: { $nosuch: 1 } } }]).toArray());
    expect(expr.code).toBe(168);
  });

  test('updates without upsert do not create the collection', async () => {
    expect((await db.collection('ghost').updateOne({ a: 1 }, { $set: { b: 1 } })).matchedCount).toBe(0);
    expect(await db.collection('ghost').findOneAndUpdate({ a: 1 }, { $set: { b: 1 } })).toBeNull();
    expect(await db.collection('ghost').findOneAndDelete({ a: 1 })).toBeNull();
    expect((await db.listCollections({ name: 'ghost' }).toArray()).length).toBe(0);
  });

  test('upserts take the filter equalities and the update', async () => {
    const coll = db.collection('upserts');
    const res = await coll.updateOne({ key: 'k', 'meta.kind': 'x', n: { $gt: 1 } }, { $set: { v: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(res.upsertedCount).toBe(1);
    const got = await coll.findOne({ _id: res.upsertedId! });
    expect(got).toMatchObject({ key: 'k', meta: { kind: 'x' }, v: 1, created: true });
    expect(got).not.toHaveProperty('n');
    const replaced = await coll.replaceOne({ key: 'r' }, { other: 1 }, { upsert: true });
    expect(await coll.findOne({ _id: replaced.upsertedId! })).toMatchObject({ other: 1 });
  });
});

describe('reads and cursors', () => {
  beforeAll(async () => {
    await db.collection('many').insertMany(Array.from({ length: 250 }, (_, i) => ({ i, even: i % 2 === 0, group: `g${i % 4}` })));
  });

  test('a find over 250 documents with batchSize 50 uses getMore and returns all', async () => {
    started.length = 0;
    const docs = await db.collection('many').find({}, { batchSize: 50, sort: { i: 1 } }).toArray();
    expect(docs.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const getMores = started.filter((e) => e.commandName === 'getMore').length;
    expect(getMores).toBeGreaterThanOrEqual(4);
    expect(getMores).toBeLessThanOrEqual(5);
  });

  test('a killed cursor is gone (43 CursorNotFound)', async () => {
    const cursor = db.collection('many').find({}, { batchSize: 10 });
    await cursor.next();
    const id = cursor.id!;
    expect(id.isZero()).toBe(false);
    await cursor.close();
    const err = await serverError(db.command({ getMore: id, collection: 'many' }));
    expect(err.code).toBe(43);
  });

  test('projection, sort, skip, limit, count, distinct, estimatedDocumentCount', async () => {
    const coll = db.collection('many');
    const page = await coll.find({ even: true }, { projection: { _id: 0, i: 1 } }).sort({ i: -1 }).skip(2).limit(3).toArray();
    expect(page).toEqual([{ i: 244 }, { i: 242 }, { i: 240 }]);
    expect(await coll.countDocuments({ group: 'g1' })).toBe(63);
    expect(await coll.countDocuments({ group: 'g1' }, { skip: 60 })).toBe(3);
    expect(await coll.estimatedDocumentCount()).toBe(250);
    expect((await coll.distinct('group')).sort()).toEqual(['g0', 'g1', 'g2', 'g3']);
    expect(await coll.find({ i: { $in: [3, 7, 300] } }).sort({ i: 1 }).map((d) => d.i).toArray()).toEqual([3, 7]);
  });

  test('distinct and a sorted $in with null over a compound index (the claim by kind of job)', async () => {
    const coll = db.collection('kinds');
    await coll.createIndex({ status: 1, kind: 1, priority: -1, at: 1 });
    const docs = Array.from({ length: 60 }, (_, i) => {
      const doc: Record<string, unknown> = { i, status: i % 3 === 0 ? 'DONE' : 'QUEUED', priority: i % 2, at: new Date(1000 + ((i * 7) % 60)) };
      if (i % 4 === 1) doc.kind = 'a';
      else if (i % 4 === 2) doc.kind = 'b';
      else if (i % 4 === 3) doc.kind = null;
      return doc;
    });
    await coll.insertMany(docs);
    const kinds = await coll.distinct('kind', { status: 'QUEUED' });
    expect(kinds.map((k) => JSON.stringify(k)).sort()).toEqual(['"a"', '"b"', 'null']);
    expect(await coll.distinct('kind', { status: 'NONE' })).toEqual([]);
    const got = await coll.find({ status: 'QUEUED', kind: { $in: ['a', null] } }).sort({ priority: -1, at: 1 }).map((d) => d.i).toArray();
    const want = docs
      .filter((d) => d.status === 'QUEUED' && d.kind !== 'b')
      .sort((x, y) => (y.priority as number) - (x.priority as number) || (x.at as Date).getTime() - (y.at as Date).getTime() || (x.i as number) - (y.i as number))
      .map((d) => d.i);
    expect(got).toEqual(want);
  });

  test('large documents: batches stay under 16 MiB and big messages arrive whole', async () => {
    const coll = db.collection('large');
    const big = 'z'.repeat(5 * 1024 * 1024);
    await coll.insertMany(Array.from({ length: 4 }, (_, i) => ({ i, big })));
    const got = await coll.find({}).sort({ i: 1 }).toArray();
    expect(got.map((d) => [d.i, d.big.length])).toEqual(Array.from({ length: 4 }, (_, i) => [i, big.length]));
    // Growing a document past 16 MiB is refused and leaves it as it was.
    const tooBig = await serverError(coll.updateOne({ i: 0 }, { $set: { more: 'm'.repeat(12 * 1024 * 1024) } }));
    expect([10334, 17419]).toContain(tooBig.code);
    expect(await coll.countDocuments({ more: { $exists: true } })).toBe(0);
    await coll.drop();
  });

  test('findOneAndDelete / findOneAndReplace with projection', async () => {
    const coll = db.collection('fam');
    await coll.insertMany([{ k: 1, v: 'a' }, { k: 2, v: 'b' }]);
    const deleted = await coll.findOneAndDelete({ k: 1 }, { projection: { _id: 0, v: 1 } });
    expect(deleted).toEqual({ v: 'a' });
    const replaced = await coll.findOneAndReplace({ k: 2 }, { k: 2, v: 'c' }, { returnDocument: 'after', projection: { _id: 0 } });
    expect(replaced).toEqual({ k: 2, v: 'c' });
    expect(await coll.findOneAndDelete({ k: 99 })).toBeNull();
  });

  test('aggregate with $group/$sort/$skip/$limit/$project/$unwind/$lookup and a cursor', async () => {
    const coll = db.collection('many');
    const groups = await coll
      .aggregate([{ $match: { even: true } }, { $group: { _id: '$group', total: { $sum: '$i' } } }, { $sort: { _id: 1 } }, { $project: { _id: 0, group: '$_id', total: 1 } }])
      .toArray();
    expect(groups).toEqual([
      { total: 7812, group: 'g0' },
      { total: 7688, group: 'g2' },
    ]);
    await db.collection('labels').insertMany([{ group: 'g0', label: 'zero' }, { group: 'g2', label: 'two' }]);
    const joined = await coll
      .aggregate([
        { $match: { i: { $lt: 4 } } },
        { $sort: { i: 1 } },
        { $lookup: { from: 'labels', localField: 'group', foreignField: 'group', as: 'l' } },
        { $unwind: { path: '$l', preserveNullAndEmptyArrays: true } },
        { $skip: 1 },
        { $limit: 2 },
        { $project: { _id: 0, i: 1, label: '$l.label' } },
      ])
      .toArray();
    expect(joined).toEqual([{ i: 1 }, { i: 2, label: 'two' }]);
    const all = await coll.aggregate([{ $sort: { i: 1 } }], { batchSize: 40 }).toArray();
    expect(all).toHaveLength(250);
    // The aggregation must not have changed the stored documents.
    expect(await coll.findOne({ i: 0 }, { projection: { _id: 0 } })).toEqual({ i: 0, even: true, group: 'g0' });
  });
});
