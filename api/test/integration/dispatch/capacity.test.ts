import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { agentCliBuilt, startAgentProcess, type AgentProcess } from '@cmd-executor/test-support/agent-process';
import { eventually } from '@cmd-executor/test-support/eventually';
import { collect, gql, ok, wsClient } from '@cmd-executor/test-support/graphql-client';
import { createJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

jest.setTimeout(90_000);

const JOBS = Number(process.env.CAPACITY_TEST_JOBS ?? 150);
const CAPACITY = 4;
const BEYOND = 'assignment beyond capacity';
let r1: DispatchApi;
let r2: DispatchApi;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  if (!agentCliBuilt()) throw new Error('build the worker first (npm run build -w worker)');
  // Leases a loaded machine never lets lapse (a real agent heartbeats every whole second).
  const lease = { leaseMs: 5000, heartbeatMs: 1000 };
  r1 = await startDispatchApi({ lease });
  r2 = await startDispatchApi({ mongoUri: r1.mongoUri, redisPrefix: r1.redisPrefix, lease });
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await r2?.close();
  await r1?.close();
});

it('two replicas, three real agents, hundreds of jobs: no agent is ever given more than its slots, each job ends once', async () => {
  // Two agents on replica 1, one on replica 2; the agents log every assignment beyond their slots.
  for (const [i, replica] of [r1, r1, r2].entries()) {
    const name = `cap-${i}`;
    const token = (await createWorkerToken(r1, name)).token;
    agents.push(startAgentProcess({ server: replica.url, token, name, concurrency: CAPACITY }));
  }
  await eventually(async () => {
    const r = ok(await gql<{ workers: Array<{ name: string }> }>(r1.url, '{ workers(status: [ONLINE]) { name } }', undefined, { token: r1.adminToken }));
    return r.workers.filter((w) => w.name.startsWith('cap-')).length === 3 || undefined;
  }, 20_000, 'three agents online');

  const watcher = wsClient(r1.wsUrl, { authToken: r1.adminToken });
  const updates = collect<{ jobUpdated: { id: string; status: string } }>(watcher, 'subscription { jobUpdated { id status } }');
  await new Promise((r) => setTimeout(r, 200));
  // submitted through both replicas, a burst at a time: assign-at-insert and claims race
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, JOBS - i) }, (_, k) => createJob(k % 2 === 0 ? r1 : r2, { command: 'true', args: [] })));
    ids.push(...batch.map((j) => j.id));
  }
  const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'];
  const idSet = new Set(ids);
  const ended = () => updates.events.filter((e) => TERMINAL.includes(e.jobUpdated.status) && idSet.has(e.jobUpdated.id));
  await updates.until(() => ended().length >= JOBS, 75_000);
  await new Promise((r) => setTimeout(r, 300)); // a duplicate end would have arrived by now
  updates.unsubscribe();
  await watcher.dispose();

  const ends = new Map<string, string[]>();
  for (const e of ended()) ends.set(e.jobUpdated.id, [...(ends.get(e.jobUpdated.id) ?? []), e.jobUpdated.status]);
  expect(ends.size).toBe(JOBS);
  expect([...ends.values()].filter((s) => s.length !== 1 || s[0] !== 'SUCCEEDED')).toEqual([]);

  const beyond = agents.map((a) => a.output().split('\n').filter((l) => l.includes(BEYOND)).length);
  expect(beyond).toEqual([0, 0, 0]);
  // every agent took part (the worker that ran each job)
  const ranOn = new Map<string, number>();
  let after: string | null = null;
  do {
    const page: { jobs: { edges: Array<{ node: { id: string; worker: { name: string } | null } }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } } } = ok(
      await gql(r2.url, 'query($a: String) { jobs(first: 100, after: $a) { edges { node { id worker { name } } } pageInfo { endCursor hasNextPage } } }', { a: after }, { token: r2.adminToken }),
    );
    for (const e of page.jobs.edges) if (idSet.has(e.node.id) && e.node.worker) ranOn.set(e.node.worker.name, (ranOn.get(e.node.worker.name) ?? 0) + 1);
    after = page.jobs.pageInfo.hasNextPage ? page.jobs.pageInfo.endCursor : null;
  } while (after);
  expect([...ranOn.keys()].sort()).toEqual(['cap-0', 'cap-1', 'cap-2']);
});
