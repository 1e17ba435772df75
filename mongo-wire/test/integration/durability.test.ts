import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import { buildBin, type RunningBin, startBin } from './bin.helper';
import { prng, SEED } from '@cmd-executor/test-support/seeded-random';

const random = prng(SEED);
let bin: ReturnType<typeof buildBin>;
const dirs: string[] = [];
const running: RunningBin[] = [];
const clients: MongoClient[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-wire-db-'));
  dirs.push(d);
  return d;
}

async function start(dbpath: string, extra: string[] = []): Promise<{ proc: RunningBin; client: MongoClient }> {
  const proc = await startBin(bin.binPath, ['--dbpath', dbpath, '--quiet', ...extra]);
  running.push(proc);
  const client = new MongoClient(proc.uri, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000, retryWrites: false, directConnection: true });
  clients.push(client);
  await client.connect();
  return { proc, client };
}

async function kill9(proc: RunningBin): Promise<void> {
  proc.child.kill('SIGKILL');
  expect(await proc.exited).toBe('SIGKILL');
}

beforeAll(() => {
  bin = buildBin();
  process.stdout.write(`durability test seed ${SEED} (MONGO_WIRE_SEED)\n`);
});

afterAll(async () => {
  for (const c of clients) await c.close(true).catch(() => undefined);
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  bin?.cleanup();
});

test('kill -9 while writers run loses no acknowledged write', async () => {
  const dbpath = tempDir();
  const first = await start(dbpath);
  const coll = first.client.db('dur').collection<{ _id: number; w: number; payload: string }>('docs');
  await coll.createIndex({ w: 1, _id: 1 });
  const acked = new Set<number>();
  let counterAcked = 0;
  let stop = false;
  // Four concurrent writers so acknowledgements share fsyncs (group commit).
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const id = w * 1_000_000 + i;
      try {
        await coll.insertOne({ _id: id, w, payload: 'x'.repeat(Math.floor(random() * 200)) });
        acked.add(id);
        await first.client.db('dur').collection('counter').updateOne({ _id: 'c' } as never, { $inc: { n: 1 } }, { upsert: true });
        counterAcked++;
      } catch {
        return; // the server is gone
      }
    }
  });
  // Enough acknowledged writes to make the check mean something, however loaded the machine is;
  // then a random extra moment so the kill lands at a different point of the write path each run.
  const enoughBy = Date.now() + 15_000;
  while (acked.size <= 20 && Date.now() < enoughBy) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, Math.floor(random() * 500)));
  await kill9(first.proc);
  stop = true;
  await Promise.all(writers);
  expect(acked.size).toBeGreaterThan(20);

  const second = await start(dbpath);
  const db = second.client.db('dur');
  const ids = new Set((await db.collection('docs').find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown as number));
  const lost = [...acked].filter((id) => !ids.has(id));
  expect(lost).toEqual([]);
  const counter = await db.collection('counter').findOne({ _id: 'c' } as never);
  expect(counter?.n).toBeGreaterThanOrEqual(counterAcked);
  expect((await db.collection('docs').listIndexes().toArray()).map((i) => i.name)).toContain('w_1__id_1');
  second.proc.child.kill('SIGINT');
  expect(await second.proc.exited).toBe(0);
}, 60_000);

test('journal compaction into a snapshot survives kill -9, and a torn journal tail is dropped', async () => {
  const dbpath = tempDir();
  const first = await start(dbpath, ['--snapshot-threshold-bytes', '20000']);
  const coll = first.client.db('snap').collection('items');
  await coll.createIndex({ key: 1 }, { unique: true });
  for (let i = 0; i < 300; i++) await coll.insertOne({ key: `k${i}`, n: i, pad: 'y'.repeat(100) });
  await coll.updateMany({ n: { $lt: 100 } }, { $set: { updated: true } });
  await coll.deleteMany({ n: { $gte: 250 } });
  await first.client.db('snap').collection('gone').insertOne({ a: 1 });
  await first.client.db('snap').collection('gone').drop();
  const files = fs.readdirSync(dbpath);
  expect(files).toContain('snapshot.bson');
  // The journal generation moved on: the first journal (generation 0) was compacted away.
  expect(files.filter((f) => f.startsWith('journal-'))).not.toContain('journal-00000000.log');
  await kill9(first.proc);

  // A write that never completed leaves a partial record at the end of the journal.
  const journal = fs.readdirSync(dbpath).find((f) => f.startsWith('journal-'))!;
  fs.appendFileSync(path.join(dbpath, journal), Buffer.from([0x40, 0, 0, 0, 1, 2, 3, 4, 5, 6]));

  const second = await start(dbpath);
  const items = second.client.db('snap').collection('items');
  expect(await items.countDocuments()).toBe(250);
  expect(await items.countDocuments({ updated: true })).toBe(100);
  expect(await items.findOne({ key: 'k42' })).toMatchObject({ n: 42, updated: true });
  const names = (await second.client.db('snap').listCollections().toArray()).map((c) => c.name);
  expect(names).toEqual(['items']);
  const dup = await items.insertOne({ key: 'k1' }).catch((e: unknown) => e);
  expect(dup).toBeInstanceOf(MongoServerError);
  expect((dup as MongoServerError).code).toBe(11000);
  await items.insertOne({ key: 'after-restart' });
  await kill9(second.proc);

  const third = await start(dbpath);
  expect(await third.client.db('snap').collection('items').countDocuments()).toBe(251);
  third.proc.child.kill('SIGTERM');
  expect(await third.proc.exited).toBe(0);
}, 30_000);
