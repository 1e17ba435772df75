import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { collect, gql, ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import { FakeWorker, type AssignmentEventView } from '@cmd-executor/test-support/fake-worker';
import { createJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

jest.setTimeout(120_000);

const JOBS = 200;
const CAPACITY = 3;
let r1: DispatchApi;
let r2: DispatchApi;
const fakes: FakeWorker[] = [];

beforeAll(async () => {
  // Leases long enough that a loaded machine never lets one lapse: this test is about dispatch.
  const lease = { leaseMs: 5000, heartbeatMs: 1000 };
  r1 = await startDispatchApi({ lease });
  r2 = await startDispatchApi({ mongoUri: r1.mongoUri, redisPrefix: r1.redisPrefix, lease });
});
afterAll(async () => {
  await Promise.all(fakes.map((w) => w.close()));
  await r2?.close();
  await r1?.close();
});

/**
 * A worker that runs whatever it is given: start, exit 0. It records how many
 * attempts it held at once, and every ASSIGN it saw.
 */
function autoWorker(replica: DispatchApi, token: string, name: string) {
  const w = new FakeWorker(replica.wsUrl, token);
  fakes.push(w);
  const stats = { maxHeld: 0, held: 0, assigned: [] as string[], errors: [] as unknown[] };
  const run = async (ev: AssignmentEventView) => {
    stats.held += 1;
    stats.maxHeld = Math.max(stats.maxHeld, stats.held);
    try {
      ok(await w.start(ev.jobId, ev.attempt));
      // count the slot free before the completion can refill it
      stats.held -= 1;
      ok(await w.complete(ev.jobId, ev.attempt, { exitCode: 0 }));
    } catch (err) {
      stats.errors.push(err);
    }
  };
  return {
    w,
    stats,
    async start() {
      await w.register({ name, capacity: CAPACITY });
      w.autoHeartbeat(200);
      w.subscribe((ev) => {
        if (ev.kind !== 'ASSIGN') return;
        stats.assigned.push(`${ev.jobId}:${ev.attempt}`);
        void run(ev);
      });
    },
  };
}

it('two replicas sharing MongoDB and Redis: every job is assigned once and ends once, capacity holds', async () => {
  const workers = [];
  for (const [i, replica] of [r1, r1, r2, r2].entries()) {
    const name = `rep-${i}`;
    const aw = autoWorker(replica, (await createWorkerToken(r1, name)).token, name);
    await aw.start();
    workers.push(aw);
  }
  // every job change as a user sees it, through replica 1
  const watcher = wsClient(r1.wsUrl, { authToken: r1.adminToken });
  const updates = collect<{ jobUpdated: { id: string; status: string } }>(watcher, 'subscription { jobUpdated { id status } }');
  await new Promise((r) => setTimeout(r, 200));
  // submit through both replicas, a few at a time
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, JOBS - i) }, (_, k) => createJob(i % 20 === 0 ? r1 : r2, { command: `true ${i + k}` })));
    ids.push(...batch.map((j) => j.id));
  }
  const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'];
  const idSet = new Set(ids);
  await updates.until(() => updates.events.filter((e) => TERMINAL.includes(e.jobUpdated.status) && idSet.has(e.jobUpdated.id)).length >= JOBS, 100_000);
  const finished: Array<{ id: string; status: string; attempt: number }> = [];
  let after: string | null = null;
  do {
    const page: { jobs: { edges: Array<{ node: { id: string; status: string; attempt: number } }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } } } = ok(
      await gql(r2.url, 'query($a: String) { jobs(first: 100, after: $a) { edges { node { id status attempt } } pageInfo { endCursor hasNextPage } } }', { a: after }, { token: r2.adminToken }),
    );
    finished.push(...page.jobs.edges.map((e) => e.node));
    after = page.jobs.pageInfo.hasNextPage ? page.jobs.pageInfo.endCursor : null;
  } while (after);
  const mine = finished.filter((j) => ids.includes(j.id));
  expect(mine).toHaveLength(JOBS);
  expect(mine.filter((j) => j.status !== 'SUCCEEDED')).toEqual([]);
  expect(mine.every((j) => j.attempt === 1)).toBe(true);

  // each job ended exactly once (a duplicate end would have arrived by now)
  await new Promise((r) => setTimeout(r, 300));
  const ends = new Map<string, number>();
  for (const e of updates.events) {
    if (TERMINAL.includes(e.jobUpdated.status)) ends.set(e.jobUpdated.id, (ends.get(e.jobUpdated.id) ?? 0) + 1);
  }
  expect(ends.size).toBe(JOBS);
  expect([...ends.values()].every((n) => n === 1)).toBe(true);
  updates.unsubscribe();
  await watcher.dispose();

  const assignments = workers.flatMap((w) => w.stats.assigned);
  expect(assignments).toHaveLength(JOBS);
  expect(new Set(assignments).size).toBe(JOBS);
  for (const w of workers) {
    expect(w.stats.errors).toEqual([]);
    expect(w.stats.maxHeld).toBeLessThanOrEqual(CAPACITY);
    expect(w.stats.assigned.length).toBeGreaterThan(0);
  }
  // both replicas' workers took part
  expect(workers.slice(0, 2).some((w) => w.stats.assigned.length > 0) && workers.slice(2).some((w) => w.stats.assigned.length > 0)).toBe(true);
});
