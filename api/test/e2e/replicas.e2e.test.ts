import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { startAgentProcess, type AgentProcess } from '@cmd-executor/test-support/agent-process';
import { eventually } from '@cmd-executor/test-support/eventually';
import { collect, gql, ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import { createJob, startDispatchApi, type DispatchApi } from '../integration/dispatch/support/dispatch-harness';

/**
 * Two API replicas on one store and one Redis, three real agent processes spread over them,
 * 200 `true` jobs submitted through both: every job runs once and ends once.
 */
jest.setTimeout(150_000);

const JOBS = 200;
const LEASE = { leaseMs: 5000, heartbeatMs: 1000, sweepIntervalMs: 300 };
const ENV = { LEASE_SECONDS: '5', HEARTBEAT_SECONDS: '1' };
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'];

let r1: DispatchApi;
let r2: DispatchApi;
const agents: AgentProcess[] = [];
const clients: Array<{ dispose(): unknown }> = [];

beforeAll(async () => {
  r1 = await startDispatchApi({ lease: LEASE, env: ENV });
  r2 = await startDispatchApi({ mongoUri: r1.mongoUri, redisPrefix: r1.redisPrefix, lease: LEASE, env: ENV });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all(agents.map((a) => a.stop()));
  await r2?.close();
  await r1?.close();
});

it(`${JOBS} jobs over 2 replicas and 3 workers: each ends exactly once`, async () => {
  const watcher = wsClient(r1.wsUrl, { authToken: r1.adminToken });
  clients.push(watcher);
  const updates = collect<{ jobUpdated: { id: string; status: string; attempt: number } }>(watcher, 'subscription { jobUpdated { id status attempt } }');
  for (const [i, replica] of [r1, r1, r2].entries()) {
    const name = `e2e-rep-${i}`;
    agents.push(startAgentProcess({ server: replica.url, token: (await createWorkerToken(r1, name)).token, name, concurrency: 4 }));
  }
  const started = Date.now();
  const ids = new Set<string>();
  for (let i = 0; i < JOBS; i += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, JOBS - i) }, (_, k) => createJob((i + k) % 2 ? r1 : r2, { command: 'true' })));
    batch.forEach((j) => ids.add(j.id));
  }
  const ended = () => updates.events.filter((e) => TERMINAL.includes(e.jobUpdated.status) && ids.has(e.jobUpdated.id));
  await updates.until(() => ended().length >= JOBS, 120_000);
  const seconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500)); // a duplicate end would show up now

  const ends = new Map<string, string[]>();
  for (const e of ended()) ends.set(e.jobUpdated.id, [...(ends.get(e.jobUpdated.id) ?? []), e.jobUpdated.status]);
  expect(ends.size).toBe(JOBS);
  expect([...ends.values()].filter((s) => s.length !== 1 || s[0] !== 'SUCCEEDED')).toEqual([]);
  // nobody retried: each job ran as attempt 1, on some worker
  expect(updates.events.filter((e) => ids.has(e.jobUpdated.id) && e.jobUpdated.attempt !== 1)).toEqual([]);
  const workers = ok(await gql<{ workers: Array<{ name: string; running: number; status: string }> }>(r2.url, '{ workers { name running status } }', undefined, { token: r2.adminToken })).workers;
  expect(workers.filter((w) => w.name.startsWith('e2e-rep-'))).toHaveLength(3);
  await eventually(async () => {
    const ws = ok(await gql<{ workers: Array<{ name: string; running: number }> }>(r1.url, '{ workers { name running } }', undefined, { token: r1.adminToken })).workers;
    return ws.every((w) => w.running === 0) ? true : undefined;
  }, 5000, 'running counts back to 0');
  // eslint-disable-next-line no-console
  console.log(`${JOBS} jobs in ${seconds.toFixed(1)} s (${(JOBS / seconds).toFixed(0)} jobs/s)`);
});
