import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { agentCliBuilt, startAgentProcess, type AgentProcess } from '@cmd-executor/test-support/agent-process';
import { eventually } from '@cmd-executor/test-support/eventually';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { cancelOpenJobs, createJob, startDispatchApi, type DispatchApi } from './support/dispatch-harness';

jest.setTimeout(60_000);

let t: DispatchApi;
const fakes: FakeWorker[] = [];
const agents: AgentProcess[] = [];

interface AttemptView {
  attempt: number;
  workerId: string | null;
  startedAt: string | null;
  endedAt: string;
  status: string;
  endReason: string;
}
interface JobWithAttempts {
  id: string;
  status: string;
  attempt: number;
  maxAttempts: number;
  lostRetries: number;
  error: string | null;
  worker: { id: string; name: string } | null;
  attempts: AttemptView[];
}

async function job(id: string): Promise<JobWithAttempts> {
  const r = await gql<{ job: JobWithAttempts }>(
    t.url,
    'query($id: ID!) { job(id: $id) { id status attempt maxAttempts lostRetries error worker { id name } attempts { attempt workerId startedAt endedAt status endReason } } }',
    { id },
    { token: t.adminToken },
  );
  return ok(r).job;
}

const until = (id: string, pred: (j: JobWithAttempts) => boolean, what: string, timeoutMs = 15_000) =>
  eventually(async () => {
    const j = await job(id);
    return pred(j) ? j : undefined;
  }, timeoutMs, `job ${id}: ${what}`);

async function fake(name: string, label: string, opts: { heartbeat?: boolean } = {}): Promise<FakeWorker> {
  const w = new FakeWorker(t.wsUrl, (await createWorkerToken(t, name)).token);
  fakes.push(w);
  await w.register({ name, labels: [label], capacity: 1 });
  if (opts.heartbeat !== false) w.autoHeartbeat(200);
  w.subscribe();
  return w;
}

beforeAll(async () => {
  // A real agent heartbeats every whole second: a lease of 3 s survives a loaded machine.
  // The workers here lose their attempts by closing their sockets (or dying, which closes them),
  // so the attempts come back after the reconnect grace, not the 2 s a lease of 3 s would give.
  t = await startDispatchApi({ lease: { leaseMs: 3000, heartbeatMs: 1000, reconnectGraceMs: 500 } });
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((w) => w.close()));
  await Promise.all(agents.splice(0).map((a) => a.stop(true)));
  await cancelOpenJobs(t);
});
afterAll(async () => {
  await t?.close();
});

describe('attempts lost to the platform', () => {
  it('an agent that shuts down gives its attempt back: requeued without using up maxAttempts, and the history says why', async () => {
    const a = await fake('shut-a', 'lost1');
    const created = await createJob(t, { command: 'work', requirements: ['lost1'], maxAttempts: 1 });
    await a.waitFor((e) => e.some((x) => x.jobId === created.id));
    ok(await a.start(created.id, 1));
    a.unsubscribe(); // a stopping agent takes no new work
    const res = ok(await a.request<{ completeJob: { status: string; attempt: number } }>(
      'mutation($j: ID!, $r: JobResultInput!) { completeJob(jobId: $j, attempt: 1, result: $r) { status attempt } }',
      { j: created.id, r: { signal: 'SIGTERM', error: 'stopped: the worker agent shut down', agentShutdown: true } },
    ));
    expect(res.completeJob).toEqual({ status: 'QUEUED', attempt: 2 });
    await a.close();

    const b = await fake('shut-b', 'lost1');
    await b.waitFor((e) => e.some((x) => x.jobId === created.id && x.attempt === 2), 10_000);
    ok(await b.start(created.id, 2));
    ok(await b.complete(created.id, 2, { exitCode: 0 }));
    const done = await until(created.id, (j) => j.status === 'SUCCEEDED', 'SUCCEEDED');
    expect(done).toMatchObject({ attempt: 2, maxAttempts: 2, lostRetries: 1 });
    expect(done.attempts.map((x) => [x.attempt, x.status, x.endReason])).toEqual([
      [1, 'QUEUED', 'AGENT_SHUTDOWN'],
      [2, 'SUCCEEDED', 'FINISHED'],
    ]);
    expect(done.attempts[0]!.workerId).not.toBe(done.attempts[1]!.workerId);
    expect(done.attempts[0]!.startedAt).not.toBeNull();
  });

  it('a cancel requested before the shutdown report wins: the job ends CANCELED, not requeued', async () => {
    const a = await fake('shut-c', 'lost2');
    const created = await createJob(t, { command: 'work', requirements: ['lost2'], maxAttempts: 1 });
    await a.waitFor((e) => e.some((x) => x.jobId === created.id));
    ok(await a.start(created.id, 1));
    ok(await gql(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: created.id }, { token: t.adminToken }));
    const res = ok(await a.request<{ completeJob: { status: string } }>(
      'mutation($j: ID!, $r: JobResultInput!) { completeJob(jobId: $j, attempt: 1, result: $r) { status } }',
      { j: created.id, r: { signal: 'SIGTERM', agentShutdown: true, canceled: true } },
    ));
    expect(res.completeJob.status).toBe('CANCELED');
  });

  it('lapsed leases are retried LOST_ATTEMPT_RETRIES times for free, then count against maxAttempts', async () => {
    const created = await createJob(t, { command: 'work', requirements: ['lost3'], maxAttempts: 1 });
    // three workers in turn, each starting the attempt it gets and then going silent
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const w = await fake(`lapse-${attempt}`, 'lost3', { heartbeat: false });
      await w.waitFor((e) => e.some((x) => x.jobId === created.id && x.attempt === attempt), 10_000);
      ok(await w.start(created.id, attempt));
      await w.close();
      await until(created.id, (j) => j.attempt > attempt || j.status === 'FAILED', `attempt ${attempt} swept`);
    }
    const failed = await until(created.id, (j) => j.status === 'FAILED', 'FAILED');
    expect(failed).toMatchObject({ attempt: 3, maxAttempts: 3, lostRetries: 2, error: 'worker lost' });
    expect(failed.attempts.map((x) => [x.attempt, x.status, x.endReason])).toEqual([
      [1, 'QUEUED', 'LEASE_LAPSED'],
      [2, 'QUEUED', 'LEASE_LAPSED'],
      [3, 'FAILED', 'LEASE_LAPSED'],
    ]);
  });
});

describe('real agents', () => {
  beforeAll(() => {
    if (!agentCliBuilt()) throw new Error('build the worker first (npm run build -w worker)');
  });

  async function agent(name: string, label: string): Promise<AgentProcess> {
    const token = (await createWorkerToken(t, name, [label])).token;
    const a = startAgentProcess({ server: t.url, token, name, concurrency: 1 });
    agents.push(a);
    return a;
  }

  it('kill -9 of an agent with maxAttempts 1: the job is requeued and runs on another agent', async () => {
    const a = await agent('kill-a', 'lost4');
    const created = await createJob(t, { command: 'sleep 30', requirements: ['lost4'], maxAttempts: 1 });
    const running = await until(created.id, (j) => j.status === 'RUNNING', 'RUNNING on kill-a', 20_000);
    expect(running.worker?.name).toBe('kill-a');
    a.child.kill('SIGKILL');
    await agent('kill-b', 'lost4');
    const moved = await until(created.id, (j) => j.status === 'RUNNING' && j.attempt === 2, 'attempt 2 RUNNING', 20_000);
    expect(moved).toMatchObject({ maxAttempts: 2, lostRetries: 1 });
    expect(moved.worker?.name).toBe('kill-b');
    expect(moved.attempts).toHaveLength(1);
    expect(moved.attempts[0]).toMatchObject({ attempt: 1, status: 'QUEUED' });
    expect(['LEASE_LAPSED', 'WORKER_LOST']).toContain(moved.attempts[0]!.endReason);
  });

  it('SIGTERM of an agent whose job outlives the shutdown timeout: the job is requeued, not failed', async () => {
    const a = await agent('term-a', 'lost5');
    const created = await createJob(t, { command: 'sleep 30', requirements: ['lost5'], maxAttempts: 1 });
    await until(created.id, (j) => j.status === 'RUNNING', 'RUNNING on term-a', 20_000);
    await a.stop(); // SIGTERM; the agent's shutdown timeout is 2 s, then it stops the job
    const requeued = await until(created.id, (j) => j.attempts.length === 1, 'attempt 1 ended');
    expect(requeued.status).not.toBe('FAILED');
    expect(requeued).toMatchObject({ attempt: 2, maxAttempts: 2, lostRetries: 1 });
    expect(requeued.attempts[0]).toMatchObject({ attempt: 1, status: 'QUEUED', endReason: 'AGENT_SHUTDOWN' });
  });
});
