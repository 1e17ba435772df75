import { MongoClient, ObjectId, type Collection, type Db, type Document } from 'mongodb';
import { startTestMongo, type TestMongo } from '@cmd-executor/test-support/test-mongo';

/**
 * Sorted, limited queries the API runs (jobs newest first with cursor pages, log chunks after a
 * seq), which the embedded server answers by walking an ordered index. Expected results are
 * computed here from the inserted data, so the same assertions hold against a real MongoDB.
 */
let target: TestMongo;
let client: MongoClient;
let db: Db;
const commands: string[] = [];

const T0 = Date.UTC(2026, 5, 1);
const USERS = [new ObjectId('650000000000000000000001'), new ObjectId('650000000000000000000002'), new ObjectId('650000000000000000000003')];
const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'];

interface Job {
  _id: ObjectId;
  createdById: ObjectId;
  status: string;
  createdAt: Date;
  priority: number;
  queuedAt: Date;
}

const jobs: Job[] = [];
let jobsColl: Collection<Job>;

beforeAll(async () => {
  target = await startTestMongo('sorted');
  client = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000, monitorCommands: true });
  client.on('commandStarted', (e) => commands.push(e.commandName));
  await client.connect();
  db = client.db(target.dbName);
  jobsColl = db.collection<Job>('jobs');
  await jobsColl.createIndexes([
    { key: { createdAt: -1, _id: -1 } },
    { key: { createdById: 1, createdAt: -1, _id: -1 } },
    { key: { createdById: 1, status: 1, createdAt: -1, _id: -1 } },
    { key: { status: 1, priority: -1, queuedAt: 1 } },
  ]);
  // Ids are not in createdAt order, and several jobs share a createdAt: the _id tie-break matters.
  for (let i = 0; i < 240; i++) {
    const hex = ((i * 37) % 240).toString(16).padStart(6, '0');
    jobs.push({
      _id: new ObjectId(`66000000000000000${hex}0`),
      createdById: USERS[i % 3],
      status: STATUSES[(i * 7) % 4],
      createdAt: new Date(T0 + Math.floor(i / 4) * 1000),
      priority: i % 3,
      queuedAt: new Date(T0 + ((i * 13) % 240)),
    });
  }
  await jobsColl.insertMany(jobs.slice(0, 120));
  for (const j of jobs.slice(120)) await jobsColl.insertOne(j);
});

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined);
  await client?.close();
  await target?.close();
});

const hex = (id: ObjectId) => id.toHexString();
const newestFirst = (a: Job, b: Job) => b.createdAt.getTime() - a.createdAt.getTime() || (hex(b._id) < hex(a._id) ? -1 : 1);
const ids = (docs: Document[]) => docs.map((d) => hex(d._id as ObjectId));

describe('sorted pages over ordered indexes', () => {
  test('newest first: admin, per user, per user and status', async () => {
    const sort = { createdAt: -1, _id: -1 } as const;
    expect(ids(await jobsColl.find({}).sort(sort).limit(21).toArray())).toEqual(ids([...jobs].sort(newestFirst).slice(0, 21)));
    const mine = jobs.filter((j) => j.createdById.equals(USERS[1])).sort(newestFirst);
    expect(ids(await jobsColl.find({ createdById: USERS[1] }).sort(sort).limit(21).toArray())).toEqual(ids(mine.slice(0, 21)));
    const running = mine.filter((j) => j.status === 'RUNNING');
    expect(ids(await jobsColl.find({ createdById: USERS[1], status: { $in: ['RUNNING'] } }).sort(sort).limit(5).toArray())).toEqual(ids(running.slice(0, 5)));
    const two = mine.filter((j) => j.status === 'RUNNING' || j.status === 'FAILED');
    expect(ids(await jobsColl.find({ createdById: USERS[1], status: { $in: ['RUNNING', 'FAILED'] } }).sort(sort).limit(9).toArray())).toEqual(ids(two.slice(0, 9)));
    expect(ids(await jobsColl.find({}).sort(sort).skip(30).limit(7).toArray())).toEqual(ids([...jobs].sort(newestFirst).slice(30, 37)));
  });

  test('cursor pagination with the $or filter visits every job once, in order', async () => {
    for (const createdById of [undefined, USERS[2]]) {
      const expected = jobs.filter((j) => !createdById || j.createdById.equals(createdById)).sort(newestFirst);
      const seen: Document[] = [];
      let last: Document | undefined;
      for (let page = 0; page < 50; page++) {
        const filter: Document = createdById ? { createdById } : {};
        if (last) filter.$or = [{ createdAt: { $lt: last.createdAt } }, { createdAt: last.createdAt, _id: { $lt: last._id } }];
        const rows = await jobsColl.find(filter).sort({ createdAt: -1, _id: -1 }).limit(21).toArray();
        seen.push(...rows.slice(0, 20));
        if (rows.length <= 20) break;
        last = rows[19];
      }
      expect(ids(seen)).toEqual(ids(expected));
    }
  });

  test('the reverse of an index order, and a sort on an index prefix', async () => {
    const oldest = [...jobs].sort((a, b) => -newestFirst(a, b));
    expect(ids(await jobsColl.find({}).sort({ createdAt: 1, _id: 1 }).limit(15).toArray())).toEqual(ids(oldest.slice(0, 15)));
    const byUser = jobs.filter((j) => j.createdById.equals(USERS[0])).sort((a, b) => -newestFirst(a, b));
    expect(ids(await jobsColl.find({ createdById: USERS[0] }).sort({ createdById: -1, createdAt: 1, _id: 1 }).limit(15).toArray())).toEqual(ids(byUser.slice(0, 15)));
  });

  test('getMore continues an index walk, with and without a limit', async () => {
    const sorted = [...jobs].sort(newestFirst);
    commands.length = 0;
    expect(ids(await jobsColl.find({}).sort({ createdAt: -1, _id: -1 }).limit(23).batchSize(5).toArray())).toEqual(ids(sorted.slice(0, 23)));
    expect(commands.filter((c) => c === 'getMore').length).toBeGreaterThanOrEqual(4);
    const cursor = jobsColl.find({ createdAt: { $lte: sorted[100].createdAt } }).sort({ createdAt: -1, _id: -1 }).batchSize(30);
    const all: Document[] = [];
    for await (const doc of cursor) all.push(doc);
    expect(ids(all)).toEqual(ids(sorted.filter((j) => j.createdAt <= sorted[100].createdAt)));
  });

  test('the job claim takes the highest priority, oldest queued first, and sees its own updates', async () => {
    const queued = jobs.filter((j) => j.status === 'QUEUED').sort((a, b) => b.priority - a.priority || a.queuedAt.getTime() - b.queuedAt.getTime());
    const claimed: Document[] = [];
    for (let i = 0; i < 4; i++) {
      const job = await jobsColl.findOneAndUpdate({ status: 'QUEUED', queuedAt: { $lte: new Date(T0 + 10_000) } }, { $set: { status: 'CLAIMED' } }, { sort: { priority: -1, queuedAt: 1 }, returnDocument: 'after' });
      claimed.push(job!);
    }
    expect(ids(claimed)).toEqual(ids(queued.slice(0, 4)));
    expect(claimed.every((j) => j.status === 'CLAIMED')).toBe(true);
    await jobsColl.updateMany({ status: 'CLAIMED' }, { $set: { status: 'QUEUED' } });
  });

  test('aggregate $match, $sort, $limit', async () => {
    const out = await jobsColl.aggregate([{ $match: { createdById: USERS[2] } }, { $sort: { createdAt: -1, _id: -1 } }, { $limit: 6 }, { $project: { _id: 1 } }]).toArray();
    expect(ids(out)).toEqual(ids(jobs.filter((j) => j.createdById.equals(USERS[2])).sort(newestFirst).slice(0, 6)));
  });
});

describe('ranges over ordered indexes', () => {
  let logs: Collection;
  const jobIds = [new ObjectId('670000000000000000000001'), new ObjectId('670000000000000000000002')];

  beforeAll(async () => {
    logs = db.collection('jobLogs');
    await logs.createIndex({ jobId: 1, attempt: 1, seq: 1 }, { unique: true });
    const docs: Document[] = [];
    // Interleaved jobs and attempts, inserted out of seq order.
    for (let s = 60; s >= 1; s--) for (const jobId of jobIds) for (const attempt of [1, 2]) docs.push({ jobId, attempt, seq: s, data: `${attempt}:${s}` });
    await logs.insertMany(docs);
  });

  test('seq after n, ascending and descending, with limits', async () => {
    const jobId = jobIds[1];
    const after = await logs.find({ jobId, attempt: 2, seq: { $gt: 17 } }).sort({ seq: 1 }).limit(10).toArray();
    expect(after.map((d) => d.data)).toEqual(Array.from({ length: 10 }, (_, i) => `2:${18 + i}`));
    const tail = await logs.find({ jobId, attempt: 1, seq: { $gte: 50 } }).sort({ seq: -1 }).limit(100).toArray();
    expect(tail.map((d) => d.seq)).toEqual([60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50]);
    const window = await logs.find({ jobId, attempt: 1, seq: { $gt: 10, $lte: 13 } }).sort({ seq: 1 }).toArray();
    expect(window.map((d) => d.seq)).toEqual([11, 12, 13]);
    expect(await logs.find({ jobId, attempt: 1, seq: { $gt: 60 } }).sort({ seq: 1 }).limit(5).toArray()).toEqual([]);
    // A range of another type matches nothing (MongoDB compares within a type).
    expect(await logs.find({ jobId, attempt: 1, seq: { $gt: '1' } }).sort({ seq: 1 }).limit(5).toArray()).toEqual([]);
  });

  test('later chunks across attempts: the $or of attempt and seq', async () => {
    const rows = await logs
      .find({ jobId: jobIds[0], $or: [{ attempt: 1, seq: { $gt: 57 } }, { attempt: { $gt: 1 } }] })
      .sort({ attempt: 1, seq: 1 })
      .limit(6)
      .toArray();
    expect(rows.map((d) => d.data)).toEqual(['1:58', '1:59', '1:60', '2:1', '2:2', '2:3']);
  });
});

describe('ties and multikey fields', () => {
  test('equal keys come in index order: insertion order forward, reversed backward', async () => {
    const coll = db.collection<{ _id: string; k: number }>('ties');
    await coll.createIndex({ k: 1 });
    await coll.insertMany([{ _id: 'a', k: 2 }, { _id: 'b', k: 1 }, { _id: 'c', k: 2 }, { _id: 'd', k: 1 }, { _id: 'e', k: 2 }, { _id: 'f', k: 3 }]);
    const up = await coll.find({}).sort({ k: 1 }).hint({ k: 1 }).limit(4).toArray();
    expect(up.map((d) => d._id)).toEqual(['b', 'd', 'a', 'c']);
    const down = await coll.find({}).sort({ k: -1 }).hint({ k: 1 }).limit(4).toArray();
    expect(down.map((d) => d._id)).toEqual(['f', 'e', 'c', 'a']);
  });

  test('an array in an indexed field sorts by its smallest element ascending, largest descending', async () => {
    const coll = db.collection<{ _id: number; m: number | number[] }>('multikey');
    await coll.createIndex({ m: 1 });
    await coll.insertMany([{ _id: 1, m: 5 }, { _id: 2, m: [9, 1] }, { _id: 3, m: 3 }, { _id: 4, m: [4, 7] }]);
    expect((await coll.find({}).sort({ m: 1 }).limit(3).toArray()).map((d) => d._id)).toEqual([2, 3, 4]);
    expect((await coll.find({}).sort({ m: -1 }).limit(3).toArray()).map((d) => d._id)).toEqual([2, 4, 1]);
  });
});
