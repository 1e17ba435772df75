import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { ok } from '@cmd-executor/test-support/graphql-client';
import { createJob, getJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

/**
 * A claim reads only the kinds of job its worker may run (claim keys: requirements and sandbox
 * as one stored key, and an index that leads with it), so what it takes must be what the whole
 * queue in priority and queue order would have given it: across kinds, behind jobs of kinds it
 * may not run, for a kind this replica never heard a wake of, and for a job stored without a key.
 *
 * Jobs are written straight into the store (copies of one created through the API, new `_id`),
 * as another replica whose wakes were lost, or an older version, would have left them.
 */
jest.setTimeout(60_000);

let api: DispatchApi;
let client: MongoClient;
let jobs: Collection<Document>;
let token: string;
const workers: FakeWorker[] = [];
let template: Document;
let queuedAt = Date.now() - 3_600_000;

beforeAll(async () => {
  api = await startDispatchApi();
  client = await MongoClient.connect(api.mongoUri);
  jobs = client.db().collection('jobs');
  token = (await createWorkerToken(api, 'claim-by-kind')).token;
  // A job nobody can run: its stored form is the template of the copies.
  const first = await createJob(api, { command: 'true', requirements: ['nobody-has-this'] });
  template = (await jobs.findOne({ _id: new ObjectId(first.id) }))!;
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await client?.close();
  await api?.close();
});

/** Stores a QUEUED job as the API would (with `claimKey` unless told to leave it out); its id. */
async function storeJob(fields: { requirements: string[]; priority: number; withKey?: boolean; tag: string }): Promise<string> {
  const doc: Document = { ...template, _id: new ObjectId(), command: `true ${fields.tag}`, requirements: fields.requirements, priority: fields.priority, queuedAt: new Date((queuedAt += 1000)) };
  if (fields.withKey === false) delete doc.claimKey;
  else doc.claimKey = JSON.stringify([[...fields.requirements].sort(), null]);
  await jobs.insertOne(doc);
  return doc._id.toHexString();
}

async function connect(labels: string[]): Promise<FakeWorker> {
  const w = new FakeWorker(api.wsUrl, token);
  workers.push(w);
  await w.register({ name: `w-${labels.join('-')}-${workers.length}`, labels, capacity: 1 });
  w.autoHeartbeat(250);
  w.subscribe();
  return w;
}

/** Runs what it is given to the end, one job at a time, until `n` jobs were assigned; their ids in order. */
async function runJobs(w: FakeWorker, n: number): Promise<string[]> {
  const done = new Set<string>();
  for (;;) {
    const next = w.assigned.find((e) => !done.has(e.jobId));
    if (next) {
      ok(await w.start(next.jobId, next.attempt));
      ok(await w.complete(next.jobId, next.attempt, { exitCode: 0 }));
      done.add(next.jobId);
      if (done.size === n) return w.assigned.map((e) => e.jobId);
      continue;
    }
    await w.waitFor((events) => events.some((e) => e.kind === 'ASSIGN' && !done.has(e.jobId)), 10_000);
  }
}

test('a worker takes its kinds in priority and queue order, behind many jobs of a kind it may not run', async () => {
  const other = Array.from({ length: 500 }, (_, i) => ({ requirements: ['other-os'], priority: 9, tag: `other${i}` }));
  await jobs.insertMany(
    other.map((o) => ({ ...template, _id: new ObjectId(), command: `true ${o.tag}`, requirements: o.requirements, priority: o.priority, queuedAt: new Date((queuedAt += 10)), claimKey: JSON.stringify([['other-os'], null]) })),
  );
  // Three kinds this worker may run (no requirement; linux; gpu+linux), interleaved in time.
  const older = await storeJob({ requirements: ['linux'], priority: 1, tag: 'older' });
  const any = await storeJob({ requirements: [], priority: 1, tag: 'any' });
  const urgent = await storeJob({ requirements: ['gpu', 'linux'], priority: 5, tag: 'urgent' });
  const later = await storeJob({ requirements: ['linux'], priority: 5, tag: 'later' });
  // Tell this replica of none of them: only the tick's read of the queue's kinds finds them.
  const w = await connect(['linux', 'gpu']);
  expect(await runJobs(w, 4)).toEqual([urgent, later, older, any]);
  // The jobs it may not run are still queued, untouched.
  expect(await jobs.countDocuments({ claimKey: JSON.stringify([['other-os'], null]), status: 'QUEUED' })).toBe(other.length);
});

test('a job stored without a claim key (by an older version) is still claimed, in its place in the queue', async () => {
  const legacy = await storeJob({ requirements: ['legacy'], priority: 3, withKey: false, tag: 'legacy' });
  const keyed = await storeJob({ requirements: ['legacy'], priority: 2, tag: 'keyed' });
  const cannot = await storeJob({ requirements: ['legacy', 'not-this-one'], priority: 7, withKey: false, tag: 'cannot' });
  const w = await connect(['legacy']);
  expect(await runJobs(w, 2)).toEqual([legacy, keyed]);
  expect((await getJob(api, cannot)).status).toBe('QUEUED');
});

test('jobs created through the API reach a worker of their kind at once, whichever kinds are queued', async () => {
  const w = await connect(['fresh-kind']);
  await new Promise((r) => setTimeout(r, 300));
  const job = await createJob(api, { command: 'true', requirements: ['fresh-kind'], priority: 1 });
  expect(await runJobs(w, 1)).toEqual([job.id]);
  expect((await getJob(api, job.id)).status).toBe('SUCCEEDED');
});
