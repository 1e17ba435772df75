import 'reflect-metadata';
import mongoose, { Types } from 'mongoose';
import { inProcessStore, startMongoWireServer, type MongoWireServer } from '@cmd-executor/mongo-wire';
import { createLogger } from '../../../src/logger';
import { connectMongo } from '../../../src/storage/mongo-connection';
import { jobsCollection, logChunksCollection, workersCollection } from '../../../src/storage/hot-collections';
import { inProcessCollection, type HotCollection } from '../../../src/storage/in-process-collection';
import { JobModel, LogChunkModel, WorkerModel } from '../../../src/storage/models';

/**
 * The hot paths reach an embedded store in the API's own process without the wire
 * (in-process-collection.ts). Every call they make must answer as the driver answers over the
 * socket, errors included, on the same server. This is about the embedded server only (a real
 * MongoDB is never in-process), so it starts one whatever MONGODB_URI says.
 */
let server: MongoWireServer;
const dbName = `in_process_${process.pid}`;

beforeAll(async () => {
  server = await startMongoWireServer({ port: 0 });
  await mongoose.connect(server.uri, { dbName });
});
afterAll(async () => {
  await mongoose.disconnect();
  await server.close();
});

type Doc = Record<string, unknown>;

/** A collection of its own, with a unique index, reached the driver's way or in process. */
async function collection(name: string, way: 'driver' | 'in process'): Promise<HotCollection> {
  const driver = mongoose.connection.db!.collection(name);
  await driver.createIndex({ key: 1 }, { unique: true, partialFilterExpression: { key: { $type: 'string' } } });
  return way === 'driver' ? (driver as unknown as HotCollection) : inProcessCollection(inProcessStore(server.uri)!, dbName, name);
}

/** What a call gave, ids made comparable: its result, or its error as a client sees it. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { result: comparable(await call()) };
  } catch (err) {
    const e = err as { code?: number; codeName?: string; keyValue?: unknown; writeErrors?: Array<{ index?: number; code?: number }> };
    return {
      error: err instanceof mongoose.mongo.MongoServerError ? 'MongoServerError' : String(err),
      code: e.code,
      codeName: e.codeName,
      keyValue: e.keyValue,
      writeErrors: e.writeErrors?.map((w) => ({ index: w.index, code: w.code })),
    };
  }
}

const ids = Array.from({ length: 4 }, () => new Types.ObjectId());
function comparable(v: unknown): unknown {
  if (v instanceof Types.ObjectId) return ids.findIndex((id) => id.equals(v)) >= 0 ? `id${ids.findIndex((id) => id.equals(v))}` : 'an ObjectId';
  if (Array.isArray(v)) return v.map(comparable);
  if (v instanceof Date || v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
}

/** The same calls, in order; what each gave. */
async function transcript(coll: HotCollection): Promise<unknown[]> {
  const at = new Date('2026-12-07T01:00:00.000Z');
  const out: unknown[] = [];
  const first: Doc = { _id: ids[0], key: 'a', n: 1, at, tags: ['x'], nested: { gone: undefined, kept: null } };
  out.push(await outcome(() => coll.insertOne(first)));
  const noId: Doc = { key: 'b', n: 2, at };
  out.push(await outcome(() => coll.insertOne(noId)));
  out.push({ idGiven: noId._id instanceof Types.ObjectId });
  out.push(await outcome(() => coll.insertOne({ key: 'a', n: 3 }))); // duplicate key
  out.push(await outcome(() => coll.insertMany([{ _id: ids[1], key: 'c', n: 4 }, { key: 'a', n: 5 }, { _id: ids[2], key: 'd', n: 6 }], { ordered: false })));
  out.push(await outcome(() => coll.findOneAndUpdate({ n: { $gte: 2 } }, { $inc: { n: 10 }, $set: { at } }, { returnDocument: 'after', sort: { n: -1 }, projection: { n: 1, key: 1 } })));
  out.push(await outcome(() => coll.findOneAndUpdate({ key: 'none' }, { $set: { n: 0 } }, { returnDocument: 'after' })));
  out.push(await outcome(() => coll.findOneAndUpdate({ key: 'a' }, { $bogus: { n: 1 } }, { returnDocument: 'after' })));
  out.push(await outcome(() => coll.bulkWrite([{ updateOne: { filter: { _id: ids[0] }, update: { $set: { s: 1 } } } }, { updateOne: { filter: { _id: ids[3] }, update: { $set: { s: 1 } } } }, { updateOne: { filter: { _id: ids[1] }, update: { $set: { s: 1 } } } }], { ordered: false })));
  out.push(await outcome(() => coll.bulkWrite([{ updateOne: { filter: { _id: ids[1] }, update: { $set: { key: 'a' } } } }, { updateOne: { filter: { _id: ids[2] }, update: { $set: { s: 2 } } } }], { ordered: false })));
  out.push(await outcome(() => coll.updateOne({ key: 'a' }, { $set: { one: true } })));
  out.push(await outcome(() => coll.updateOne({ key: 'none' }, { $set: { one: true } })));
  out.push(await outcome(() => coll.updateOne({ _id: ids[2] }, { $set: { key: 'c' } }))); // duplicate key
  out.push(await outcome(() => coll.updateMany({ s: { $exists: true } }, { $set: { t: true } })));
  out.push(await outcome(() => coll.updateMany({ key: { $in: ['c', 'd'] } }, { $set: { key: 'a' } })));
  out.push(await outcome(() => coll.find({}, { sort: { key: 1 }, projection: { _id: 0, key: 1, n: 1, s: 1, t: 1, one: 1, tags: 1, nested: 1 } }).toArray()));
  out.push(await outcome(() => coll.find({ n: { $gt: 1 } }, { sort: { n: 1 }, limit: 2 }).toArray()));
  // more than one batch (the first holds 101)
  await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ bulk: i })), { ordered: true });
  out.push(await outcome(async () => (await coll.find({ bulk: { $exists: true } }, { sort: { bulk: -1 } }).toArray()).map((d) => d.bulk)));
  return out;
}

test('every hot-path call answers in process as it does over the wire, errors included', async () => {
  const overTheWire = await transcript(await collection('parity_driver', 'driver'));
  const inProcess = await transcript(await collection('parity_in_process', 'in process'));
  expect(inProcess).toEqual(overTheWire);
  // and the transcript is worth comparing: it holds the answers and errors it is meant to
  expect(overTheWire[3]).toMatchObject({ error: 'MongoServerError', code: 11000, keyValue: { key: 'a' } });
  expect(overTheWire[4]).toMatchObject({ code: 11000, writeErrors: [{ index: 1, code: 11000 }] });
  expect(overTheWire[6]).toEqual({ result: null });
  expect(overTheWire[8]).toMatchObject({ result: { matchedCount: 2 } });
  expect(overTheWire[10]).toEqual({ result: { acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null } });
  expect(overTheWire[11]).toMatchObject({ result: { matchedCount: 0, modifiedCount: 0 } });
  expect(overTheWire[12]).toMatchObject({ error: 'MongoServerError', code: 11000 });
  expect((overTheWire[17] as { result: number[] }).result).toEqual(Array.from({ length: 250 }, (_, i) => 249 - i));
});

test('what a caller does to its values afterwards, or to what it read, never reaches the store', async () => {
  const coll = await collection('isolation', 'in process');
  const doc: Doc = { _id: ids[0], tags: ['x'], at: new Date(1_000), bytes: Buffer.from('abc') };
  await coll.insertOne(doc);
  (doc.tags as string[]).push('y');
  (doc.at as Date).setTime(2_000);
  (doc.bytes as Buffer)[0] = 0;
  const [read] = await coll.find({ _id: ids[0] }).toArray();
  (read.tags as string[]).push('z');
  read.id = 'added';
  const [again] = await coll.find({ _id: ids[0] }).toArray();
  expect(again.tags).toEqual(['x']);
  expect(again.at).toEqual(new Date(1_000));
  expect(again.id).toBeUndefined();
  expect(Buffer.from((again.bytes as mongoose.mongo.Binary).value()).toString()).toBe('abc');
});

describe('routing', () => {
  const logger = createLogger({ level: 'silent' });
  let own: MongoWireServer;
  beforeAll(async () => {
    // connectMongo shares mongoose's default connection: this block has it to itself
    await mongoose.disconnect();
    own = await startMongoWireServer({ port: 0 });
  });
  afterAll(async () => {
    await own.close();
    await mongoose.connect(server.uri, { dbName });
  });

  test('the hot paths go in process to an embedded store in this process, and to the driver when told not to', async () => {
    const direct = await connectMongo({ uri: `${own.uri}/routing`, poolSize: 2, logger });
    expect(jobsCollection()).not.toBe(JobModel.collection);
    expect(logChunksCollection()).not.toBe(LogChunkModel.collection);
    expect(workersCollection()).not.toBe(WorkerModel.collection);
    // the jobs it writes are the ones mongoose reads
    const _id = new Types.ObjectId();
    await jobsCollection().insertOne({ _id, command: 'true', status: 'QUEUED' });
    expect(await JobModel.findById(_id).lean().exec()).toMatchObject({ command: 'true', status: 'QUEUED' });
    await direct.close();
    expect(jobsCollection()).toBe(JobModel.collection);
    expect(workersCollection()).toBe(WorkerModel.collection);

    const overTheWire = await connectMongo({ uri: `${own.uri}/routing`, poolSize: 2, inProcess: false, logger });
    expect(jobsCollection()).toBe(JobModel.collection);
    await overTheWire.close();
  });

  test('a closed server refuses in-process commands as a closed socket would', async () => {
    const gone = await startMongoWireServer({ port: 0 });
    const store = inProcessStore(`${gone.uri}/x?retryWrites=false`)!;
    expect(store).toBeDefined();
    await gone.close();
    expect(inProcessStore(gone.uri)).toBeUndefined();
    await expect(store.command('x', { ping: 1 })).rejects.toThrow('the embedded MongoDB-wire server is closed');
  });
});
