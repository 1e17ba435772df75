import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { eventually } from '@cmd-executor/test-support/eventually';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { createJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';
import { parsePrometheusText } from '@cmd-executor/test-support/prometheus-text';

/**
 * A fleet of idle workers costs dispatch nothing per worker: a queued job wakes one idle worker
 * that can run it (a claim or two, not one per worker), the tick reads the queue once instead
 * of making every worker claim, and an idle worker's heartbeat reads nothing. Counted from the
 * API's /metrics (claims, and reads of workers' slots), with 50 workers on graphql-ws.
 *
 * The workers are on replica 1; jobs are created on replica 2, where no worker is connected, so
 * each is queued and reaches replica 1 as a wake (nothing is assigned at its insert).
 */
jest.setTimeout(120_000);

const WORKERS = 50;
const LABEL = 'bounded-wake';
// Leases a loaded machine does not let lapse; the tick every 400 ms, views trusted for 500 ms.
const LEASE = { leaseMs: 5000, heartbeatMs: 500 };
const HEARTBEAT_MS = 250;

let r1: DispatchApi;
let r2: DispatchApi;
const workers: FakeWorker[] = [];
const byName = new Map<string, FakeWorker>();
/** job id → names of the workers it was assigned to */
const assignedTo = new Map<string, string[]>();

/** The API's counters, `name{labels}` → value. */
async function scrape(api: DispatchApi): Promise<Map<string, number>> {
  const res = await fetch(api.url.replace(/\/graphql$/, '/metrics'));
  expect(res.status).toBe(200);
  return parsePrometheusText(await res.text());
}

async function counts(api: DispatchApi): Promise<{ claims: number; taken: number; reads: number }> {
  const m = await scrape(api);
  const taken = m.get('cmd_executor_dispatch_claims_total{result="taken"}');
  const empty = m.get('cmd_executor_dispatch_claims_total{result="empty"}');
  const reads = m.get('cmd_executor_dispatch_slot_reads_total');
  if (taken === undefined || empty === undefined || reads === undefined) throw new Error('dispatch counters missing from /metrics');
  return { claims: taken + empty, taken, reads };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A worker that runs whatever it is given at once (start, then exit 0). */
async function connectRunner(token: string, name: string): Promise<FakeWorker> {
  const w = new FakeWorker(r1.wsUrl, token);
  await w.register({ name, labels: [LABEL], capacity: 1 });
  w.autoHeartbeat(HEARTBEAT_MS);
  byName.set(name, w);
  w.subscribe((e) => {
    if (e.kind !== 'ASSIGN') return;
    assignedTo.set(e.jobId, [...(assignedTo.get(e.jobId) ?? []), name]);
    void (async () => {
      ok(await w.start(e.jobId, e.attempt));
      ok(await w.complete(e.jobId, e.attempt, { exitCode: 0 }));
    })().catch(() => undefined); // a refusal shows as a job not SUCCEEDED
  });
  return w;
}

async function statuses(ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const r = await gql<{ job: { status: string } }>(r1.url, 'query($id: ID!) { job(id: $id) { status } }', { id }, { token: r1.adminToken });
    out.push(ok(r).job.status);
  }
  return out;
}

/** Until the claim counter stands still over `ms` (registration's own claims are over). */
async function quiet(ms = 1200): Promise<void> {
  await eventually(async () => {
    const before = (await counts(r1)).claims;
    await sleep(ms);
    return (await counts(r1)).claims === before || undefined;
  }, 30_000, 'dispatch to settle after the workers registered');
}

beforeAll(async () => {
  r1 = await startDispatchApi({ lease: LEASE });
  r2 = await startDispatchApi({ mongoUri: r1.mongoUri, redisPrefix: r1.redisPrefix, lease: LEASE });
  const token = (await createWorkerToken(r1, 'bounded-fleet', [LABEL])).token;
  for (let i = 0; i < WORKERS; i += 1) workers.push(await connectRunner(token, `bw-${i}`));
  await eventually(async () => {
    const r = ok(await gql<{ workers: Array<{ name: string }> }>(r1.url, '{ workers(status: [ONLINE]) { name } }', undefined, { token: r1.adminToken }));
    return r.workers.filter((w) => w.name.startsWith('bw-')).length === WORKERS || undefined;
  }, 30_000, `${WORKERS} workers online`);
  await quiet();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await r2?.close();
  await r1?.close();
});

it('idle workers heartbeating and the tick cost no claim and no read per worker', async () => {
  const before = await counts(r1);
  const windowMs = 2000;
  await sleep(windowMs);
  const after = await counts(r1);
  expect(after.claims - before.claims).toBe(0);
  // ~400 heartbeats and ~5 ticks in the window: each tick reads every worker's slots in one read.
  expect(after.reads - before.reads).toBeLessThanOrEqual(Math.ceil(windowMs / 400) + 3);
});

it('one queued job wakes one idle worker: a claim or two, not one per worker', async () => {
  const before = await counts(r1);
  const job = await createJob(r2, { command: 'true', requirements: [LABEL] });
  expect(job.status).toBe('QUEUED');
  await eventually(async () => ((await statuses([job.id]))[0] === 'SUCCEEDED' ? true : undefined), 10_000, 'the job to run');
  await sleep(1000); // ticks come and go
  const after = await counts(r1);
  expect(assignedTo.get(job.id)).toHaveLength(1);
  expect(after.taken - before.taken).toBe(1);
  // the woken worker's claim (and one that comes back empty, should a tick find the job before its wake arrives)
  expect(after.claims - before.claims).toBeLessThanOrEqual(2);
});

it('a heartbeat that still names a finished attempt brings no claim: the worker still knows nothing is queued', async () => {
  const job = await createJob(r2, { command: 'true', requirements: [LABEL] });
  await eventually(async () => ((await statuses([job.id]))[0] === 'SUCCEEDED' ? true : undefined), 10_000, 'the job to run');
  const ran = byName.get(assignedTo.get(job.id)![0])!;
  await sleep(1000); // its own claims and ticks come and go
  const before = await counts(r1);
  // What an agent's heartbeat sent while its completeJob was on the way says: the attempt is lost.
  const beat = ok(await ran.heartbeat([{ jobId: job.id, attempt: 1 }]));
  expect(beat.heartbeat.lost).toEqual([{ jobId: job.id, attempt: 1 }]);
  await sleep(1000); // the next tick reads its slots
  const after = await counts(r1);
  expect(after.claims - before.claims).toBe(0);
});

it('a burst through both replicas: each job runs once, spread over the fleet, with a bounded number of claims', async () => {
  const JOBS = 100;
  const before = await counts(r1);
  const jobs = await Promise.all(Array.from({ length: JOBS }, (_, i) => createJob(i % 2 === 0 ? r2 : r1, { command: 'true', requirements: [LABEL] })));
  const ids = jobs.map((j) => j.id);
  await eventually(async () => ((await statuses(ids)).every((s) => s === 'SUCCEEDED') ? true : undefined), 60_000, `${JOBS} jobs to succeed`);
  await sleep(500); // a second assignment would have arrived by now
  const after = await counts(r1);
  expect(ids.filter((id) => assignedTo.get(id)?.length !== 1)).toEqual([]);
  expect(new Set(ids.map((id) => assignedTo.get(id)![0])).size).toBeGreaterThanOrEqual(20);
  // Under two a job here: the claim that takes it, and now and then one that comes back empty
  // (a wake whose job a claim for another wake took, a freed slot while jobs may wait).
  expect(after.claims - before.claims).toBeLessThanOrEqual(3 * JOBS);
});
