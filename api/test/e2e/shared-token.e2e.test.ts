import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { startAgentProcess, type AgentProcess } from '@cmd-executor/test-support/agent-process';
import { eventually } from '@cmd-executor/test-support/eventually';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { createJob, getJob, startDispatchApi, type DispatchApi } from '../integration/dispatch/support/dispatch-harness';

/**
 * Several real agent processes started with one worker token and no --name: each is its own
 * worker (the token's name, then name-2), each runs jobs, and a restarted one takes its name back.
 */
jest.setTimeout(60_000);

const LEASE = { leaseMs: 3000, heartbeatMs: 1000, sweepIntervalMs: 200, retryBackoffBaseMs: 200, retryBackoffMaxMs: 1000, timeoutGraceMs: 2000 };
const ENV = { LEASE_SECONDS: '3', HEARTBEAT_SECONDS: '1' };

let t: DispatchApi;
const agents: AgentProcess[] = [];

interface WorkerRow {
  id: string;
  name: string;
  status: string;
  tokenName: string | null;
}

async function workersOfToken(tokenName: string): Promise<WorkerRow[]> {
  const r = ok(await gql<{ workers: WorkerRow[] }>(t.url, '{ workers { id name status tokenName } }', undefined, { token: t.adminToken }));
  return r.workers.filter((w) => w.tokenName === tokenName).sort((a, b) => a.name.localeCompare(b.name));
}

async function finished(id: string) {
  return eventually(async () => {
    const j = await getJob(t, id);
    return ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'].includes(j.status) ? j : undefined;
  }, 30_000, `job ${id} to finish`);
}

beforeAll(async () => {
  t = await startDispatchApi({ lease: LEASE, env: ENV });
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop(true)));
  await t?.close();
});

it('two agents on one token with no --name are two workers, shared and shared-2, and both run jobs; a restarted one reclaims its name', async () => {
  const token = (await createWorkerToken(t, 'shared', ['shared'])).token;
  const first = startAgentProcess({ server: t.url, token, concurrency: 1 });
  agents.push(first);
  await eventually(async () => ((await workersOfToken('shared')).some((w) => w.status === 'ONLINE') ? true : undefined), 20_000, 'the first agent to register');
  const second = startAgentProcess({ server: t.url, token, concurrency: 1 });
  agents.push(second);
  const online = await eventually(
    async () => {
      const ws = (await workersOfToken('shared')).filter((w) => w.status === 'ONLINE');
      return ws.length === 2 ? ws : undefined;
    },
    20_000,
    () => `two ONLINE workers of token "shared"; agents said:\n${first.output()}\n${second.output()}`,
  );
  expect(online.map((w) => w.name)).toEqual(['shared', 'shared-2']);
  expect(new Set(online.map((w) => w.id)).size).toBe(2);

  // Each agent runs one job at a time: two overlapping jobs need both.
  const jobs = await Promise.all([1, 2].map(() => createJob(t, { command: 'sleep 2; echo done', requirements: ['shared'] })));
  const done = await Promise.all(jobs.map((j) => finished(j.id)));
  expect(done.map((j) => j.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(new Set(done.map((j) => j.worker?.name))).toEqual(new Set(['shared', 'shared-2']));

  // The second stops; a new agent process on the same token takes its record back, not shared-3.
  await second.stop();
  await eventually(async () => ((await workersOfToken('shared')).find((w) => w.name === 'shared-2')?.status === 'OFFLINE' ? true : undefined), 20_000, 'shared-2 to go OFFLINE');
  const third = startAgentProcess({ server: t.url, token, concurrency: 1 });
  agents.push(third);
  const after = await eventually(
    async () => {
      const ws = await workersOfToken('shared');
      return ws.length === 2 && ws.every((w) => w.status === 'ONLINE') ? ws : undefined;
    },
    20_000,
    () => `both workers ONLINE again; third agent said:\n${third.output()}`,
  );
  expect(after.map((w) => w.id)).toEqual(online.map((w) => w.id));
  const again = await createJob(t, { command: 'echo again', requirements: ['shared'] });
  expect((await finished(again.id)).status).toBe('SUCCEEDED');
});
