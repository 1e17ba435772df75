import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkerToken as mintWorkerToken } from '@cmd-executor/test-support/accounts';
import { eventually } from '@cmd-executor/test-support/eventually';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import pino from 'pino';
import { startAgent, type Agent } from '../../src/agent/agent';

/**
 * The real API (embedded MongoDB-wire server, real Redis) and a real agent on real
 * sockets: a job submitted through GraphQL runs on the agent and its output and result
 * come back through the API.
 */
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let api: TestApi;
let agent: Agent | undefined;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-e2e-'));
  api = await startTestApi();
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await api?.close();
  rmSync(workDir, { recursive: true, force: true });
});

interface JobView {
  status: string;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  logs: { seq: number; stream: string; data: string }[];
}

async function createWorkerToken(name: string): Promise<string> {
  return (await mintWorkerToken(api, name)).token;
}

async function createJob(input: Record<string, unknown>): Promise<string> {
  return ok(await gql<{ createJob: { id: string } }>(api.url, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', { i: input }, { token: api.adminToken })).createJob.id;
}

async function job(id: string): Promise<JobView> {
  const res = await gql<{ job: JobView | null }>(
    api.url,
    'query($id: ID!) { job(id: $id) { status exitCode signal error logs { seq stream data } } }',
    { id },
    { token: api.adminToken },
  );
  const found = ok(res).job;
  if (!found) throw new Error(`job ${id} not found`);
  return found;
}

async function waitForStatus(id: string, statuses: string[], timeoutMs = 15_000): Promise<JobView> {
  let last = 'unknown';
  return eventually(async () => {
    const j = await job(id);
    last = j.status;
    return statuses.includes(j.status) ? j : undefined;
  }, timeoutMs, () => `job ${id} to reach ${statuses.join('|')} (still ${last})`, 100);
}

describe('agent + real API', () => {
  it('runs echo hello to SUCCEEDED with its output in the job logs', async () => {
    const token = await createWorkerToken('e2e-worker');
    agent = await startAgent({
      server: api.url.replace(/\/graphql$/, ''),
      token,
      name: 'e2e-worker',
      workDir,
      logger,
      reconnect: { baseMs: 100, maxMs: 500 },
    });
    const id = await createJob({ command: 'echo hello' });
    const done = await waitForStatus(id, ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT']);
    expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0, signal: null, error: null });
    expect(done.logs.filter((l) => l.stream === 'STDOUT').map((l) => l.data).join('')).toBe('hello\n');
  }, 30_000);

  it('masks a secret, reports exit code 1 as FAILED, and cancels a running job', async () => {
    const failing = await createJob({ command: 'echo "pw=$PW"; exit 1', env: [{ name: 'PW', value: 'p4ss-w0rd-xyz', secret: true }] });
    const f = await waitForStatus(failing, ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT']);
    expect(f).toMatchObject({ status: 'FAILED', exitCode: 1 });
    expect(f.logs.map((l) => l.data).join('')).toContain('pw=***');
    expect(JSON.stringify(f.logs)).not.toContain('p4ss-w0rd-xyz');

    const long = await createJob({ command: 'echo started; sleep 300' });
    await waitForStatus(long, ['RUNNING']);
    const res = await gql(api.url, 'mutation($id: ID!) { cancelJob(id: $id) { status } }', { id: long }, { token: api.adminToken });
    expect(res.errors).toBeUndefined();
    const c = await waitForStatus(long, ['CANCELED', 'FAILED', 'SUCCEEDED', 'TIMED_OUT']);
    expect(c.status).toBe('CANCELED');
    expect(c.logs.filter((l) => l.stream === 'SYSTEM').map((l) => l.data).join('')).toMatch(/cancel requested/);
  }, 30_000);

  it('keeps a UTF-8 character split across reads whole, keeps per-stream order, and times out', async () => {
    // "€" is e2 82 ac: its bytes arrive in two reads 200 ms apart
    const split = await createJob({ command: "printf 'a\\342\\202'; sleep 0.2; printf '\\254b\\n'; echo e1 >&2; echo o2; echo e2 >&2" });
    const s = await waitForStatus(split, ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT']);
    expect(s.status).toBe('SUCCEEDED');
    const bySeq = [...s.logs].sort((a, b) => a.seq - b.seq);
    expect(bySeq.map((l) => l.seq)).toEqual(bySeq.map((_, i) => i + 1));
    expect(bySeq.filter((l) => l.stream === 'STDOUT').map((l) => l.data).join('')).toBe('a€b\no2\n');
    expect(bySeq.filter((l) => l.stream === 'STDERR').map((l) => l.data).join('')).toBe('e1\ne2\n');

    const slow = await createJob({ command: 'sleep 300', timeoutSeconds: 1 });
    const t = await waitForStatus(slow, ['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT']);
    expect(t.status).toBe('TIMED_OUT');
  }, 30_000);
});
