import type { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { eventually } from '@cmd-executor/test-support/eventually';
import { ok } from '@cmd-executor/test-support/graphql-client';
import { cancelOpenJobs, connectFakeWorker, createJob, getJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

/**
 * A job submitted while a suitable worker sits idle with nothing queued for it goes in
 * ASSIGNED to that worker (no claim round); otherwise it is queued and claimed as usual.
 */
jest.setTimeout(20_000);

let t: DispatchApi;
const workers: FakeWorker[] = [];

async function worker(name: string, labels: string[], capacity: number): Promise<FakeWorker> {
  const w = await connectFakeWorker(t, name, { labels, capacity });
  workers.push(w);
  return w;
}

/** Jobs one at a time until one is assigned in createJob's own answer (a tick may just have made the worker claim). */
async function submitUntilAssignedAtInsert(w: FakeWorker, label: string): Promise<string> {
  for (let i = 0; i < 5; i += 1) {
    const job = await createJob(t, { command: 'true', requirements: [label] });
    await w.waitFor((e) => e.some((x) => x.jobId === job.id));
    ok(await w.start(job.id, 1));
    ok(await w.complete(job.id, 1, { exitCode: 0 }));
    if (job.status === 'ASSIGNED') {
      expect(w.assigned.find((x) => x.jobId === job.id)?.leaseExpiresAt).toEqual(expect.any(String));
      return job.id;
    }
  }
  throw new Error('no job was assigned at its insert');
}

beforeAll(async () => {
  t = await startDispatchApi();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  await cancelOpenJobs(t);
});
afterAll(async () => {
  await t?.close();
});

it('assigns a new job to an idle worker in createJob itself, once', async () => {
  const w = await worker('idle-1', ['ins-idle'], 2);
  const id = await submitUntilAssignedAtInsert(w, 'ins-idle');
  expect(w.assigned.filter((e) => e.jobId === id)).toHaveLength(1);
  expect(await getJob(t, id)).toMatchObject({ status: 'SUCCEEDED', worker: { id: w.workerId } });
});

it('never goes past the worker capacity: a job for a full worker is queued, then claimed when a slot frees', async () => {
  const w = await worker('full-1', ['ins-full'], 1);
  await submitUntilAssignedAtInsert(w, 'ins-full'); // the worker is known idle now
  const first = await createJob(t, { command: 'sleep', requirements: ['ins-full'] });
  await w.waitFor((e) => e.some((x) => x.jobId === first.id));
  const second = await createJob(t, { command: 'true', requirements: ['ins-full'] });
  expect(second.status).toBe('QUEUED');
  await new Promise((r) => setTimeout(r, 400)); // a heartbeat and a tick come and go
  expect(w.assigned.some((e) => e.jobId === second.id)).toBe(false);
  ok(await w.start(first.id, 1));
  ok(await w.complete(first.id, 1, { exitCode: 0 }));
  await w.waitFor((e) => e.some((x) => x.jobId === second.id));
  expect(await getJob(t, second.id)).toMatchObject({ status: 'ASSIGNED', worker: { id: w.workerId } });
});

it('does not give an idle worker a job it cannot run', async () => {
  const w = await worker('other-1', ['ins-other'], 2);
  await submitUntilAssignedAtInsert(w, 'ins-other');
  const job = await createJob(t, { command: 'true', requirements: ['ins-missing'] });
  expect(job.status).toBe('QUEUED');
  await new Promise((r) => setTimeout(r, 400));
  expect(w.assigned.some((e) => e.jobId === job.id)).toBe(false);
  expect(await getJob(t, job.id)).toMatchObject({ status: 'QUEUED', worker: null });
});

it('does not assign at insert to a worker whose stream closed', async () => {
  const w = await worker('gone-1', ['ins-gone'], 2);
  await submitUntilAssignedAtInsert(w, 'ins-gone');
  const later = await worker('gone-2', ['ins-gone'], 2);
  await w.close();
  const job = await createJob(t, { command: 'true', requirements: ['ins-gone'] });
  const got = await eventually(async () => later.assigned.find((e) => e.jobId === job.id), 5000, 'the other worker gets it');
  expect(got).toBeDefined();
});
