import { startMongoWireServer } from '@cmd-executor/mongo-wire';
import { createWorkerToken } from '@cmd-executor/test-support/accounts';
import { startAgentProcess, type AgentProcess } from '@cmd-executor/test-support/agent-process';
import { eventually } from '@cmd-executor/test-support/eventually';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { createJob, getJob, jobLogs, startDispatchApi, type DispatchApi } from '../integration/dispatch/support/dispatch-harness';

/**
 * The API with real worker agent processes (worker/dist/cli.js) on real sockets: results and
 * output come back, a worker killed with -9 loses nothing, an API restart loses nothing.
 */
jest.setTimeout(60_000);

// The agents honour the lease settings the API reports, so config and overrides agree.
const LEASE = { leaseMs: 3000, heartbeatMs: 1000, sweepIntervalMs: 200, retryBackoffBaseMs: 200, retryBackoffMaxMs: 1000, timeoutGraceMs: 2000 };
// 20 MB of output must arrive whole: the cap is raised above it here (the cap has its own tests).
const ENV = { LEASE_SECONDS: '3', HEARTBEAT_SECONDS: '1', LOG_MAX_BYTES: String(32 * 1024 * 1024) };

let mongo: Awaited<ReturnType<typeof startMongoWireServer>>;
let t: DispatchApi;
const agents: AgentProcess[] = [];
const fakes: FakeWorker[] = [];

async function agent(name: string, labels: string[], concurrency = 2): Promise<AgentProcess> {
  const a = startAgentProcess({ server: t.url, token: (await createWorkerToken(t, name)).token, name, labels, concurrency });
  agents.push(a);
  return a;
}

async function finished(id: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const j = await getJob(t, id);
    return ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT'].includes(j.status) ? j : undefined;
  }, timeoutMs, `job ${id} to finish`);
}

beforeAll(async () => {
  // The store outlives API restarts, as a real MongoDB would.
  mongo = await startMongoWireServer({ port: 0 });
  t = await startDispatchApi({ mongoUri: `${mongo.uri}/e2e-agents`, lease: LEASE, env: ENV });
});
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await Promise.all(agents.map((a) => a.stop(true)));
  await t?.close();
  await mongo?.close();
});

it('runs commands: output per stream and exit codes', async () => {
  await agent('e2e-basic', ['basic']);
  const ok = await createJob(t, { command: 'echo out; echo err >&2; exit 0', requirements: ['basic'] });
  const bad = await createJob(t, { command: 'echo failing; exit 3', requirements: ['basic'] });
  const killed = await createJob(t, { command: 'kill -9 $$', requirements: ['basic'] });
  expect(await finished(ok.id)).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
  const logs = await jobLogs(t, ok.id);
  expect(logs.filter((l) => l.stream === 'STDOUT').map((l) => l.data).join('')).toBe('out\n');
  expect(logs.filter((l) => l.stream === 'STDERR').map((l) => l.data).join('')).toBe('err\n');
  expect(await finished(bad.id)).toMatchObject({ status: 'FAILED', exitCode: 3 });
  const k = await finished(killed.id);
  expect(k.status).toBe('FAILED');
  expect(k.exitCode === 137 || k.signal === 'SIGKILL').toBe(true);
});

it('a worker killed with -9 mid-job: the job re-runs on a second worker and the first attempt is fenced off', async () => {
  const token1 = (await createWorkerToken(t, 'e2e-doomed')).token;
  const first = startAgentProcess({ server: t.url, token: token1, name: 'e2e-doomed', labels: ['kill9'] });
  agents.push(first);
  const job = await createJob(t, { command: 'echo "attempt on $(hostname)"; sleep 2; echo done', requirements: ['kill9'], maxAttempts: 2 });
  await eventually(async () => ((await getJob(t, job.id)).status === 'RUNNING' && (await jobLogs(t, job.id, 1)).length > 0 ? true : undefined), 20_000, 'attempt 1 running').catch(async (err) => {
    throw new Error(`${String(err)}; job ${JSON.stringify(await getJob(t, job.id))}; agent: ${first.output().slice(-2000)}`);
  });
  await first.stop(true);
  const second = await agent('e2e-survivor', ['kill9']);
  const done = await finished(job.id, 30_000);
  expect(done).toMatchObject({ status: 'SUCCEEDED', attempt: 2, exitCode: 0, worker: { name: 'e2e-survivor' } });
  const attempt1 = await jobLogs(t, job.id, 1);
  expect(attempt1.at(-1)).toMatchObject({ stream: 'SYSTEM' });
  expect(attempt1.at(-1)?.data).toMatch(/worker lost/);
  expect((await jobLogs(t, job.id, 2)).map((l) => l.data).join('')).toMatch(/attempt on .*\ndone\n/);
  // the first worker's identity comes back late and reports attempt 1
  const ghost = new FakeWorker(t.wsUrl, token1);
  fakes.push(ghost);
  await ghost.register({ name: 'e2e-doomed', labels: ['kill9'] });
  const late = await ghost.complete(job.id, 1, { exitCode: 0 });
  expect(late.errors?.[0].extensions?.code).toBe('CONFLICT');
  expect(await getJob(t, job.id)).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
  expect(second.output()).not.toMatch(/"level":(50|60)/);
});

it('the API restarted mid-job: the job still finishes and its log seqs have no gap', async () => {
  await agent('e2e-restart', ['restart']);
  const job = await createJob(t, { command: 'for i in $(seq 1 40); do echo "line $i"; sleep 0.05; done', requirements: ['restart'] });
  await eventually(async () => ((await jobLogs(t, job.id)).length > 0 ? true : undefined), 20_000, 'first output');
  const port = t.api.port;
  await t.close();
  await new Promise((r) => setTimeout(r, 500));
  t = await startDispatchApi({ mongoUri: `${mongo.uri}/e2e-agents`, lease: LEASE, env: { ...ENV, PORT: String(port) } });
  const done = await finished(job.id, 30_000);
  expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0, attempt: 1 });
  const logs = await jobLogs(t, job.id);
  expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i + 1));
  const out = logs.filter((l) => l.stream === 'STDOUT').map((l) => l.data).join('');
  expect(out).toBe(Array.from({ length: 40 }, (_, i) => `line ${i + 1}\n`).join(''));
});

it('routes by requirements, serves by priority, and a drained worker takes nothing new', async () => {
  // queued before any worker exists, so the order is the queue's, not the arrival's
  const low = await createJob(t, { command: 'echo low', requirements: ['route'], priority: -5 });
  const high = await createJob(t, { command: 'echo high', requirements: ['route'], priority: 50 });
  const mid = await createJob(t, { command: 'echo mid', requirements: ['route'], priority: 0 });
  const gpuOnly = await createJob(t, { command: 'echo gpu', requirements: ['route', 'gpu'] });
  await agent('e2e-route', ['route'], 1);
  for (const j of [low, high, mid]) expect(await finished(j.id)).toMatchObject({ status: 'SUCCEEDED' });
  const started = await Promise.all(
    [high, mid, low].map(async (j) => {
      const r = ok(await gql<{ job: { startedAt: string } }>(t.url, 'query($id: ID!) { job(id: $id) { startedAt } }', { id: j.id }, { token: t.adminToken }));
      return Date.parse(r.job.startedAt);
    }),
  );
  expect([...started].sort((a, b) => a - b)).toEqual(started);
  expect((await getJob(t, gpuOnly.id)).status).toBe('QUEUED');

  const gpu = await agent('e2e-gpu', ['route', 'gpu'], 1);
  expect(await finished(gpuOnly.id)).toMatchObject({ status: 'SUCCEEDED', worker: { name: 'e2e-gpu' } });
  // drain the gpu worker while it runs a job: that job finishes, the next one waits
  const long = await createJob(t, { command: 'sleep 1; echo ok', requirements: ['gpu'] });
  await eventually(async () => ((await getJob(t, long.id)).status === 'RUNNING' ? true : undefined), 20_000, 'long job running');
  const workerId = (await getJob(t, long.id)).worker?.id;
  ok(await gql(t.url, 'mutation($id: ID!) { drainWorker(id: $id) { status } }', { id: workerId }, { token: t.adminToken }));
  const next = await createJob(t, { command: 'echo never', requirements: ['gpu'] });
  expect(await finished(long.id)).toMatchObject({ status: 'SUCCEEDED' });
  await new Promise((r) => setTimeout(r, 1000));
  expect((await getJob(t, next.id)).status).toBe('QUEUED');
  ok(await gql(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: next.id }, { token: t.adminToken }));
  await gpu.stop();
});

it('20 MB of output arrives complete and in order', async () => {
  await agent('e2e-big', ['big']);
  // 200,000 numbered lines of 100 bytes = 20 MB
  const job = await createJob(t, { command: "awk 'BEGIN { for (i = 1; i <= 200000; i++) printf \"%099d\\n\", i }'", requirements: ['big'] });
  expect(await finished(job.id, 60_000)).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
  let after = 0;
  let expected = 1;
  let bytes = 0;
  let partial = '';
  for (;;) {
    const r = ok(await gql<{ job: { logs: Array<{ seq: number; data: string }> } }>(t.url, 'query($id: ID!, $a: Int) { job(id: $id) { logs(afterSeq: $a, limit: 5000) { seq data } } }', { id: job.id, a: after }, { token: t.adminToken }));
    const page = r.job.logs;
    if (page.length === 0) break;
    for (const c of page) {
      expect(c.seq).toBe(after + 1);
      after = c.seq;
      bytes += Buffer.byteLength(c.data);
      const lines = (partial + c.data).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (Number(line) !== expected) throw new Error(`line ${expected} came as ${line.slice(0, 20)}…`);
        expected += 1;
      }
    }
  }
  expect(partial).toBe('');
  expect(expected - 1).toBe(200_000);
  expect(bytes).toBe(20_000_000);
  expect((await getJob(t, job.id)).logTruncated).toBe(false);
});

it('cancel of a running shell with children: CANCELED, and every child gone within grace + 1 s', async () => {
  await agent('e2e-cancel', ['cancel']);
  const job = await createJob(t, { command: 'sleep 300 & echo $!; sleep 300 & echo $!; wait', requirements: ['cancel'] });
  const pids = await eventually(async () => {
    const out = (await jobLogs(t, job.id)).filter((l) => l.stream === 'STDOUT').map((l) => l.data).join('');
    const found = out.split('\n').filter(Boolean).map(Number);
    return found.length === 2 ? found : undefined;
  }, 20_000, 'the children to start');
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  expect(pids.every(alive)).toBe(true);
  const asked = Date.now();
  ok(await gql(t.url, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: job.id }, { token: t.adminToken }));
  expect(await finished(job.id)).toMatchObject({ status: 'CANCELED' });
  await eventually(async () => (pids.some(alive) ? undefined : true), 2000, 'children gone');
  expect(Date.now() - asked).toBeLessThan(1000 /* --kill-grace 1 */ + 1000 + 1500 /* API round trips on a loaded machine */);
});

it('log cap: output past LOG_MAX_BYTES is dropped with one SYSTEM line, and the job still succeeds', async () => {
  // a replica on the same store with a 1 MiB cap; only its agent can take the job
  const capped = await startDispatchApi({ mongoUri: `${mongo.uri}/e2e-agents`, lease: LEASE, env: { ...ENV, LOG_MAX_BYTES: String(1024 * 1024) } });
  try {
    const a = startAgentProcess({ server: capped.url, token: (await createWorkerToken(capped, 'e2e-capped')).token, name: 'e2e-capped', labels: ['capped'] });
    agents.push(a);
    const job = await createJob(capped, { command: "awk 'BEGIN { for (i = 1; i <= 30000; i++) printf \"%099d\\n\", i }'", requirements: ['capped'] });
    const done = await eventually(async () => {
      const j = await getJob(capped, job.id);
      return j.status === 'SUCCEEDED' || j.status === 'FAILED' ? j : undefined;
    }, 30_000, 'the capped job').catch(async (err) => {
      throw new Error(`${String(err)}; job ${JSON.stringify(await getJob(capped, job.id))}; agent: ${a.output().slice(-3000)}`);
    });
    expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0, logTruncated: true });
    // logBytes counts what reached the server: past the cap, and up to all of it (the agent
    // stops sending once an answer says the log is truncated; what was in flight still counts).
    expect(done.logBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(done.logBytes).toBeLessThanOrEqual(3_000_000);
    const logs = await jobLogs(capped, job.id);
    const system = logs.filter((l) => l.stream === 'SYSTEM');
    expect(system).toHaveLength(1);
    expect(system[0].data).toMatch(/log truncated/);
    expect(system[0].seq).toBe(logs.at(-1)?.seq); // nothing stored after it
    const kept = logs.filter((l) => l.stream === 'STDOUT').reduce((n, l) => n + Buffer.byteLength(l.data), 0);
    expect(kept).toBeLessThanOrEqual(1024 * 1024);
    expect(kept).toBeGreaterThan(1024 * 1024 - 128 * 1024);
    await a.stop();
  } finally {
    await capped.close();
  }
});
