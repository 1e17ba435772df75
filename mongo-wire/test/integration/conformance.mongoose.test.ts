import 'reflect-metadata';
import { getModelForClass, index, modelOptions, prop, Severity } from '@typegoose/typegoose';
import mongoose, { Types } from 'mongoose';
import { startTestMongo, type TestMongo } from '@cmd-executor/test-support/test-mongo';

/* Models shaped like the API's: unique and compound indexes, timestamps, a partial unique index. */

@modelOptions({ schemaOptions: { collection: 'mw_users', timestamps: true } })
class MwUser {
  @prop({ type: String, required: true, unique: true })
  username!: string;

  @prop({ type: String, unique: true, sparse: true })
  email?: string;

  @prop({ type: Number, default: 0 })
  logins!: number;
}

@index({ status: 1, priority: -1, queuedAt: 1 })
@index({ ownerId: 1, idempotencyKey: 1 }, { unique: true, partialFilterExpression: { idempotencyKey: { $exists: true } } })
@modelOptions({ schemaOptions: { collection: 'mw_jobs', timestamps: true }, options: { allowMixed: Severity.ALLOW } })
class MwJob {
  @prop({ type: String, required: true })
  command!: string;

  @prop({ type: String, required: true, index: true })
  status!: string;

  @prop({ type: Number, default: 0 })
  priority!: number;

  @prop({ type: Date, required: true })
  queuedAt!: Date;

  @prop({ type: Date, required: true })
  notBefore!: Date;

  @prop({ type: () => [String], default: [] })
  requirements!: string[];

  @prop({ type: Types.ObjectId })
  ownerId?: Types.ObjectId;

  @prop({ type: String })
  idempotencyKey?: string;

  @prop({ type: String })
  workerName?: string;

  @prop({ type: () => [Number], default: [] })
  recent!: number[];
}

@index({ jobId: 1, seq: 1 }, { unique: true })
@modelOptions({ schemaOptions: { collection: 'mw_chunks' } })
class MwChunk {
  @prop({ type: Types.ObjectId, required: true })
  jobId!: Types.ObjectId;

  @prop({ type: Number, required: true })
  seq!: number;

  @prop({ type: String, required: true })
  data!: string;
}

@modelOptions({ schemaOptions: { collection: 'mw_builds' } })
class MwBuild {
  @prop({ type: String, required: true })
  name!: string;

  @prop({ type: () => [Object], default: [] }, )
  steps!: Array<{ name: string; state: string }>;
}

let target: TestMongo;
let conn: mongoose.Connection;
let Users: ReturnType<typeof getModelForClass<typeof MwUser>>;
let Jobs: ReturnType<typeof getModelForClass<typeof MwJob>>;
let Chunks: ReturnType<typeof getModelForClass<typeof MwChunk>>;
let Builds: ReturnType<typeof getModelForClass<typeof MwBuild>>;

beforeAll(async () => {
  target = await startTestMongo('mongoose');
  conn = await mongoose.createConnection(target.uri, { dbName: target.dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  Users = getModelForClass(MwUser, { existingConnection: conn });
  Jobs = getModelForClass(MwJob, { existingConnection: conn });
  Chunks = getModelForClass(MwChunk, { existingConnection: conn });
  Builds = getModelForClass(MwBuild, { existingConnection: conn, options: { allowMixed: Severity.ALLOW } });
  await Promise.all([Users.init(), Jobs.init(), Chunks.init(), Builds.init()]);
});

afterAll(async () => {
  await conn?.dropDatabase().catch(() => undefined);
  await conn?.close();
  await target?.close();
});

describe('indexes', () => {
  test('mongoose creates the declared indexes', async () => {
    const names = (await Jobs.listIndexes()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'ownerId_1_idempotencyKey_1', 'status_1', 'status_1_priority_-1_queuedAt_1'].sort());
    const partial = (await Jobs.listIndexes()).find((i) => i.name === 'ownerId_1_idempotencyKey_1');
    expect(partial).toMatchObject({ unique: true, partialFilterExpression: { idempotencyKey: { $exists: true } } });
  });

  test('syncIndexes finds nothing to change after init', async () => {
    for (const model of [Users, Jobs, Chunks]) {
      const diff = await model.diffIndexes();
      expect(diff).toEqual({ toDrop: [], toCreate: [] });
    }
  });

  test('a unique index rejects a duplicate with E11000, code 11000 and keyValue', async () => {
    await Users.create({ username: 'ada' });
    const err = await Users.create({ username: 'ada' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 11000, keyValue: { username: 'ada' } });
    expect(String((err as Error).message)).toMatch(/E11000 duplicate key error/);
    expect(await Users.countDocuments({ username: 'ada' })).toBe(1);
  });

  test('a sparse unique index allows many documents without the field', async () => {
    await Users.create([{ username: 'no-mail-1' }, { username: 'no-mail-2' }]);
    await Users.create({ username: 'm1', email: 'x@example.com' });
    await expect(Users.create({ username: 'm2', email: 'x@example.com' })).rejects.toMatchObject({ code: 11000, keyValue: { email: 'x@example.com' } });
  });

  test('a compound unique index rejects the same pair only', async () => {
    const jobId = new Types.ObjectId();
    await Chunks.insertMany([
      { jobId, seq: 1, data: 'a' },
      { jobId, seq: 2, data: 'b' },
      { jobId: new Types.ObjectId(), seq: 1, data: 'c' },
    ]);
    const err = await Chunks.create({ jobId, seq: 2, data: 'dup' }).then(
      () => null,
      (e: unknown) => e as { code: number; keyPattern: unknown; keyValue: { jobId: Types.ObjectId; seq: number } },
    );
    expect(err?.code).toBe(11000);
    expect(err?.keyPattern).toEqual({ jobId: 1, seq: 1 });
    expect(String(err?.keyValue.jobId)).toBe(String(jobId));
    expect(err?.keyValue.seq).toBe(2);
  });

  test('insertMany unordered keeps going past a duplicate and reports it', async () => {
    const jobId = new Types.ObjectId();
    const err = await Chunks.insertMany(
      [
        { jobId, seq: 1, data: 'a' },
        { jobId, seq: 1, data: 'dup' },
        { jobId, seq: 2, data: 'b' },
      ],
      { ordered: false },
    ).then(
      () => null,
      (e: unknown) => e as { code: number; writeErrors: Array<{ index: number; code?: number; err?: { code: number } }> },
    );
    expect(err?.code).toBe(11000);
    expect(await Chunks.countDocuments({ jobId })).toBe(2);
  });

  test('a partial unique index enforces idempotency keys only where present', async () => {
    const ownerId = new Types.ObjectId();
    const base = { command: 'true', status: 'DONE', queuedAt: new Date(), notBefore: new Date(), ownerId };
    await Jobs.create([{ ...base }, { ...base }]); // no key: not in the index
    await Jobs.create({ ...base, idempotencyKey: 'k1' });
    await expect(Jobs.create({ ...base, idempotencyKey: 'k1' })).rejects.toMatchObject({ code: 11000 });
    await Jobs.create({ ...base, ownerId: new Types.ObjectId(), idempotencyKey: 'k1' });
    // Dropping the key takes the document out of the index, so the key is free again.
    await Jobs.updateOne({ ownerId, idempotencyKey: 'k1' }, { $unset: { idempotencyKey: 1 } });
    await Jobs.create({ ...base, idempotencyKey: 'k1' });
    expect(await Jobs.countDocuments({ ownerId })).toBe(4);
    await Jobs.deleteMany({ status: 'DONE' });
  });

  test('an update that would duplicate a unique key fails and leaves the document as it was', async () => {
    await Users.create([{ username: 'u-a' }, { username: 'u-b' }]);
    await expect(Users.updateOne({ username: 'u-b' }, { $set: { username: 'u-a' } })).rejects.toMatchObject({ code: 11000 });
    await expect(Users.findOneAndUpdate({ username: 'u-b' }, { $set: { username: 'u-a' } })).rejects.toMatchObject({
      code: 11000,
      keyValue: { username: 'u-a' },
    });
    expect(await Users.countDocuments({ username: { $in: ['u-a', 'u-b'] } })).toBe(2);
  });
});

describe('updates', () => {
  test('timestamps: createdAt on insert, updatedAt moves on update, upsert sets both', async () => {
    const u = await Users.create({ username: 'ts' });
    expect(u.get('createdAt')).toBeInstanceOf(Date);
    const before = u.get('updatedAt') as Date;
    await new Promise((r) => setTimeout(r, 5));
    const after = await Users.findOneAndUpdate({ _id: u._id }, { $inc: { logins: 1 } }, { returnDocument: 'after' });
    expect(after?.logins).toBe(1);
    expect((after?.get('updatedAt') as Date).getTime()).toBeGreaterThan(before.getTime());
    expect((after?.get('createdAt') as Date).getTime()).toBe((u.get('createdAt') as Date).getTime());

    const up = await Users.findOneAndUpdate({ username: 'upserted' }, { $inc: { logins: 2 } }, { upsert: true, returnDocument: 'after' });
    expect(up).toMatchObject({ username: 'upserted', logins: 2 });
    expect(up?.get('createdAt')).toBeInstanceOf(Date);
  });

  test('findOneAndUpdate with sort picks the first by sort order; upsert takes equality fields from the filter', async () => {
    const now = new Date();
    await Jobs.create([
      { command: 'low', status: 'S1', priority: 1, queuedAt: now, notBefore: now },
      { command: 'high-late', status: 'S1', priority: 5, queuedAt: new Date(now.getTime() + 1000), notBefore: now },
      { command: 'high-early', status: 'S1', priority: 5, queuedAt: now, notBefore: now },
    ]);
    const picked = await Jobs.findOneAndUpdate({ status: 'S1' }, { $set: { status: 'S2' } }, { sort: { priority: -1, queuedAt: 1 }, returnDocument: 'before' });
    expect(picked?.command).toBe('high-early');
    expect(picked?.status).toBe('S1');

    const created = await Jobs.findOneAndUpdate(
      { status: 'S3', command: 'fresh' },
      { $setOnInsert: { priority: 9, queuedAt: now, notBefore: now } },
      { upsert: true, returnDocument: 'after', sort: { priority: -1 } },
    );
    expect(created).toMatchObject({ status: 'S3', command: 'fresh', priority: 9 });
    // Second time it exists: $setOnInsert does not apply.
    const again = await Jobs.findOneAndUpdate({ status: 'S3', command: 'fresh' }, { $setOnInsert: { priority: 1 } }, { upsert: true, returnDocument: 'after' });
    expect(again?._id.toString()).toBe(created?._id.toString());
    expect(again?.priority).toBe(9);
    await Jobs.deleteMany({ status: { $in: ['S1', 'S2', 'S3'] } });
  });

  test('$push with $each and $slice keeps the newest entries', async () => {
    const now = new Date();
    const j = await Jobs.create({ command: 'p', status: 'P', queuedAt: now, notBefore: now });
    for (let i = 1; i <= 5; i++) await Jobs.updateOne({ _id: j._id }, { $push: { recent: { $each: [i], $slice: -3 } } });
    expect((await Jobs.findById(j._id).lean())?.recent).toEqual([3, 4, 5]);
    await Jobs.deleteOne({ _id: j._id });
  });

  test('arrayFilters update only the matching array elements', async () => {
    const b = await Builds.create({ name: 'b1', steps: [{ name: 'lint', state: 'ok' }, { name: 'test', state: 'failed' }, { name: 'e2e', state: 'failed' }] });
    await Builds.updateOne({ _id: b._id }, { $set: { 'steps.$[s].state': 'retrying' } }, { arrayFilters: [{ 's.state': 'failed' }] });
    const got = await Builds.findById(b._id).lean();
    expect(got?.steps.map((s) => s.state)).toEqual(['ok', 'retrying', 'retrying']);
    await Builds.updateOne({ _id: b._id, 'steps.name': 'lint' }, { $set: { 'steps.$.state': 'skipped' } });
    expect((await Builds.findById(b._id).lean())?.steps[0].state).toBe('skipped');
  });

  test('updateMany, updateOne with upsert, deleteMany report counts', async () => {
    await Users.create([{ username: 'm-1' }, { username: 'm-2' }, { username: 'm-3' }]);
    const many = await Users.updateMany({ username: /^m-/ }, { $inc: { logins: 10 } });
    expect(many).toMatchObject({ matchedCount: 3, modifiedCount: 3 });
    const up = await Users.updateOne({ username: 'm-4' }, { $set: { logins: 1 } }, { upsert: true });
    expect(up.upsertedCount).toBe(1);
    expect(up.upsertedId).toBeTruthy();
    const del = await Users.deleteMany({ username: /^m-/ });
    expect(del.deletedCount).toBe(4);
  });

  test('bulkWrite mixes operations and reports each kind', async () => {
    const res = await Users.bulkWrite([
      { insertOne: { document: { username: 'bw-1' } } },
      { insertOne: { document: { username: 'bw-2' } } },
      { updateOne: { filter: { username: 'bw-1' }, update: { $set: { logins: 7 } } } },
      { updateOne: { filter: { username: 'bw-3' }, update: { $set: { logins: 3 } }, upsert: true } },
      { replaceOne: { filter: { username: 'bw-2' }, replacement: { username: 'bw-2', logins: 42 } as MwUser } },
      { deleteOne: { filter: { username: 'bw-1' } } },
    ]);
    expect(res.insertedCount).toBe(2);
    expect(res.matchedCount).toBe(2);
    expect(res.upsertedCount).toBe(1);
    expect(res.deletedCount).toBe(1);
    const rest = await Users.find({ username: /^bw-/ }).sort({ username: 1 }).lean();
    expect(rest.map((u) => [u.username, u.logins])).toEqual([
      ['bw-2', 42],
      ['bw-3', 3],
    ]);
  });

  test('an unordered bulkWrite of fenced updates applies each whose filter matches, alone, and counts only those', async () => {
    // The API's batch reports: one update command, each statement fenced by the state it expects.
    const now = new Date();
    const [a, b, c] = await Jobs.insertMany(
      ['a', 'b', 'c'].map((command) => ({ command, status: 'RUNNING', queuedAt: now, notBefore: now })),
    );
    const res = await Jobs.bulkWrite(
      [
        { updateOne: { filter: { _id: a._id, status: 'RUNNING' }, update: { $set: { status: 'SUCCEEDED' }, $inc: { priority: 1 } } } },
        { updateOne: { filter: { _id: b._id, status: 'ASSIGNED' }, update: { $set: { status: 'SUCCEEDED' } } } },
        { updateOne: { filter: { _id: c._id, status: { $in: ['ASSIGNED', 'RUNNING'] } }, update: { $set: { status: 'FAILED' } } } },
        { updateOne: { filter: { _id: a._id, status: 'RUNNING' }, update: { $set: { status: 'FAILED' } } } },
      ],
      { ordered: false },
    );
    expect(res.matchedCount).toBe(2);
    expect(res.modifiedCount).toBe(2);
    const after = await Jobs.find({ _id: { $in: [a._id, b._id, c._id] } }).sort({ command: 1 }).lean();
    expect(after.map((j) => [j.command, j.status, j.priority])).toEqual([
      ['a', 'SUCCEEDED', 1],
      ['b', 'RUNNING', 0],
      ['c', 'FAILED', 0],
    ]);
    await Jobs.deleteMany({ _id: { $in: [a._id, b._id, c._id] } });
  });
});

describe('reads', () => {
  beforeAll(async () => {
    const now = Date.now();
    await Jobs.insertMany(
      Array.from({ length: 250 }, (_, i) => ({
        command: `c${i}`,
        status: i % 5 === 0 ? 'QUEUED' : 'SUCCEEDED',
        priority: i % 3,
        queuedAt: new Date(now + i),
        notBefore: new Date(now - 1000),
        requirements: i % 2 === 0 ? ['linux'] : ['linux', 'gpu'],
      })),
    );
  });

  test('countDocuments and distinct', async () => {
    expect(await Jobs.countDocuments({ command: /^c\d+$/ })).toBe(250);
    expect(await Jobs.countDocuments({ status: 'QUEUED', command: /^c/ })).toBe(50);
    expect((await Jobs.distinct('requirements', { command: /^c/ })).sort()).toEqual(['gpu', 'linux']);
    expect((await Jobs.distinct('priority', { status: 'QUEUED' })).sort()).toEqual([0, 1, 2]);
  });

  test('a query cursor over several batches returns every document once', async () => {
    const seen = new Set<string>();
    const cursor = Jobs.find({ command: /^c/ }).sort({ queuedAt: 1 }).batchSize(50).cursor();
    let last = 0;
    for await (const doc of cursor) {
      seen.add(doc.command);
      expect(doc.queuedAt.getTime()).toBeGreaterThan(last);
      last = doc.queuedAt.getTime();
    }
    expect(seen.size).toBe(250);
    const page = await Jobs.find({ command: /^c/ }).sort({ queuedAt: -1 }).skip(10).limit(20).select({ command: 1 }).lean();
    expect(page.map((d) => d.command)).toEqual(Array.from({ length: 20 }, (_, i) => `c${239 - i}`));
    expect(page[0]).not.toHaveProperty('status');
  });

  test('aggregate: $match $group $sort $project and $lookup', async () => {
    const byStatus = await Jobs.aggregate<{ _id: string; n: number }>([
      { $match: { command: /^c/ } },
      { $group: { _id: '$status', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(byStatus).toEqual([
      { _id: 'QUEUED', n: 50 },
      { _id: 'SUCCEEDED', n: 200 },
    ]);
    const job = await Jobs.findOne({ command: 'c0' });
    await Chunks.insertMany([
      { jobId: job!._id, seq: 1, data: 'hello ' },
      { jobId: job!._id, seq: 2, data: 'world' },
    ]);
    const joined = await Jobs.aggregate<{ command: string; chunks: Array<{ seq: number; data: string }> }>([
      { $match: { _id: job!._id } },
      { $lookup: { from: 'mw_chunks', localField: '_id', foreignField: 'jobId', as: 'chunks' } },
      { $project: { command: 1, chunks: { seq: 1, data: 1 } } },
    ]);
    expect(joined).toHaveLength(1);
    expect(joined[0].command).toBe('c0');
    expect(joined[0].chunks.map((c) => c.data).join('')).toBe('hello world');
    const unwound = await Jobs.aggregate([{ $match: { command: { $in: ['c1', 'c3'] } } }, { $unwind: '$requirements' }, { $count: 'n' }]);
    expect(unwound).toEqual([{ n: 4 }]);
  });

  test('exists, exclusion projection, $or over dates and ids, pagination by (queuedAt, _id)', async () => {
    expect(await Jobs.exists({ command: 'c7' })).toBeTruthy();
    expect(await Jobs.exists({ command: 'nope' })).toBeNull();
    const lean = await Jobs.findOne({ command: 'c7' }).select('-requirements -recent').lean();
    expect(lean).not.toHaveProperty('requirements');
    expect(lean).toHaveProperty('priority');
    const all = await Jobs.find({ command: /^c/ }).sort({ queuedAt: -1, _id: -1 }).select({ queuedAt: 1 }).lean();
    const pivot = all[99];
    const next = await Jobs.find({
      command: /^c/,
      $or: [{ queuedAt: { $lt: pivot.queuedAt } }, { queuedAt: pivot.queuedAt, _id: { $lt: pivot._id } }],
    })
      .sort({ queuedAt: -1, _id: -1 })
      .limit(10)
      .select({ queuedAt: 1 })
      .lean();
    expect(next.map((d) => String(d._id))).toEqual(all.slice(100, 110).map((d) => String(d._id)));
    const byIds = await Jobs.find({ _id: { $in: all.slice(0, 3).map((d) => d._id) } }).lean();
    expect(byIds).toHaveLength(3);
  });

  test('the job-claim query takes the best eligible queued job, atomically', async () => {
    const claim = (labels: string[], worker: string) =>
      Jobs.findOneAndUpdate(
        { status: 'QUEUED', notBefore: { $lte: new Date() }, requirements: { $not: { $elemMatch: { $nin: labels } } } },
        { $set: { status: 'ASSIGNED', workerName: worker } },
        { sort: { priority: -1, queuedAt: 1 }, returnDocument: 'after' },
      ).lean();
    const first = await claim(['linux'], 'w1');
    expect(first).toMatchObject({ status: 'ASSIGNED', workerName: 'w1', priority: 2, requirements: ['linux'] });
    // Queued jobs are i % 5 === 0; linux-only ones are even i; priority 2 means i % 3 === 2: i = 20 is the earliest.
    expect(first?.command).toBe('c20');
    const gpu = await claim(['linux', 'gpu'], 'w2');
    expect(gpu?.command).toBe('c5');
    const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => claim(['linux'], `p${i}`)));
    const got = claims.filter((c) => c !== null).map((c) => c!.command);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toHaveLength(24); // 25 linux-only queued jobs, one taken above
    expect(await claim(['linux'], 'none')).toBeNull();
  });
});
