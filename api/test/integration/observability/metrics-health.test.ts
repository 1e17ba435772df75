import { randomBytes } from 'node:crypto';
/**
 * /metrics, /healthz and /readyz on a real API with a real worker agent running real jobs:
 * the counts scraped while jobs run match what happened; readiness names a dead Redis and
 * fails at once on shutdown; production guards /metrics with a token or a port of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAgent, type Agent } from '../../../../worker/src/agent/agent';
import { freePort } from '@cmd-executor/test-support/free-port';
import { gql } from '@cmd-executor/test-support/graphql-client';
import { OwnRedisServer } from '@cmd-executor/test-support/redis-server';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';
import { parsePrometheusText } from '@cmd-executor/test-support/prometheus-text';

jest.setTimeout(90_000);

const origin = (t: TestApi) => t.url.replace(/\/graphql$/, '');

/** Parses the Prometheus text format into `name{labels}` → value. */
async function scrape(url: string, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('metrics while jobs run', () => {
  let t: TestApi;
  let agent: Agent;
  let workDir: string;
  const gate = path.join(os.tmpdir(), `metrics-gate-${process.pid}-${Date.now()}`);

  beforeAll(async () => {
    t = await startTestApi();
    const token = await gql<{ createWorkerToken: { token: string } }>(
      t.url,
      'mutation { createWorkerToken(name: "metrics-worker", labels: ["linux"]) { token } }',
      {},
      { token: t.adminToken },
    );
    workDir = mkdtempSync(path.join(os.tmpdir(), 'metrics-worker-'));
    agent = await startAgent({
      server: origin(t),
      token: token.data!.createWorkerToken.token,
      name: 'metrics-worker',
      labels: ['linux'],
      concurrency: 4,
      workDir,
      killGraceSeconds: 1,
      shutdownTimeoutSeconds: 5,
    });
  });

  afterAll(async () => {
    rmSync(gate, { force: true });
    await agent?.stop();
    await t?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const createJob = async (command: string): Promise<string> => {
    const r = await gql<{ createJob: { id: string } }>(t.url, 'mutation ($c: String!) { createJob(input: { command: $c }) { id } }', { c: command }, { token: t.adminToken });
    return r.data!.createJob.id;
  };
  const statusOf = async (id: string): Promise<string> =>
    (await gql<{ job: { status: string } }>(t.url, 'query ($id: ID!) { job(id: $id) { status } }', { id }, { token: t.adminToken })).data!.job.status;
  const waitStatus = (id: string, wanted: string) => waitFor(`${id} ${wanted}`, async () => ((await statusOf(id)) === wanted ? true : undefined));

  it('counts finished jobs, the running one, log bytes, waits, durations, workers and sockets', async () => {
    const before = await scrape(`${origin(t)}/metrics`);
    expect(before.get('cmd_executor_jobs_total{status="SUCCEEDED"}')).toBe(0);
    expect(before.get('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);

    // 3 succeed (each prints 6 bytes), 2 fail, 1 runs until the test lets it go
    const ok = await Promise.all([1, 2, 3].map((i) => createJob(`printf 'ok-${i}\\n'; printf 'x\\n'`)));
    const bad = await Promise.all([1, 2].map(() => createJob('exit 3')));
    const running = await createJob(`while [ ! -e ${gate} ]; do sleep 0.05; done`);
    for (const id of ok) await waitStatus(id, 'SUCCEEDED');
    for (const id of bad) await waitStatus(id, 'FAILED');
    await waitStatus(running, 'RUNNING');

    const during = await waitFor('metrics to show the finished jobs', async () => {
      const m = await scrape(`${origin(t)}/metrics`);
      return m.get('cmd_executor_jobs_total{status="FAILED"}') === 2 && m.get('cmd_executor_jobs{status="RUNNING"}') === 1 ? m : undefined;
    });
    expect(during.get('cmd_executor_jobs_total{status="SUCCEEDED"}')).toBe(3);
    expect(during.get('cmd_executor_jobs_total{status="CANCELED"}')).toBe(0);
    expect(during.get('cmd_executor_jobs{status="SUCCEEDED"}')).toBe(3);
    expect(during.get('cmd_executor_jobs{status="FAILED"}')).toBe(2);
    expect(during.get('cmd_executor_jobs{status="QUEUED"}')).toBe(0);
    // every job started once, and five of them ended
    expect(during.get('cmd_executor_queue_wait_seconds_count')).toBe(6);
    expect(during.get('cmd_executor_dispatch_latency_seconds_count')).toBe(6);
    expect(during.get('cmd_executor_job_duration_seconds_count{status="SUCCEEDED"}')).toBe(3);
    expect(during.get('cmd_executor_job_duration_seconds_count{status="FAILED"}')).toBe(2);
    // "ok-N\n" + "x\n" per succeeded job (a FAILED job's exit adds no output)
    expect(during.get('cmd_executor_log_bytes_total')).toBeGreaterThanOrEqual(3 * 7);
    expect(during.get('cmd_executor_workers{status="ONLINE"}')).toBe(1);
    expect(during.get('cmd_executor_websocket_connections{kind="worker"}')).toBe(1);

    // the running job ends (a cancel): counted once
    await gql(t.url, 'mutation ($id: ID!) { cancelJob(id: $id) { id } }', { id: running }, { token: t.adminToken });
    await waitStatus(running, 'CANCELED');
    const after = await waitFor('the cancel to be counted', async () => {
      const m = await scrape(`${origin(t)}/metrics`);
      return m.get('cmd_executor_jobs{status="RUNNING"}') === 0 && m.get('cmd_executor_jobs_total{status="CANCELED"}') === 1 ? m : undefined;
    });
    expect(after.get('cmd_executor_jobs{status="CANCELED"}')).toBe(1);
    expect(after.get('cmd_executor_jobs_total{status="SUCCEEDED"}')).toBe(3);
    expect(after.get('cmd_executor_jobs_total{status="FAILED"}')).toBe(2);
  });

  it('answers /healthz and /readyz while MongoDB and Redis answer', async () => {
    const health = await fetch(`${origin(t)}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${origin(t)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, failing: [] });
  });
});

describe('rate limit refusals', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts each refused request by kind of caller', async () => {
    // startTestApi's admin login used one anonymous hit of the three
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await gql(t.url, '{ __typename }')).status);
    const refused = statuses.filter((s) => s === 429).length;
    expect(refused).toBe(3);
    const m = await scrape(`${origin(t)}/metrics`);
    expect(m.get('cmd_executor_rate_limited_total{principal="anonymous"}')).toBe(refused);
  });
});

describe('readiness when Redis stops, and on shutdown', () => {
  let redis: OwnRedisServer | undefined;
  let t: TestApi | undefined;
  afterAll(async () => {
    await redis?.close();
    await t?.close().catch(() => undefined);
  });

  it('names redis within about a second, then answers 503 at once while shutting down', async () => {
    redis = await OwnRedisServer.start();
    t = await startTestApi({ env: { REDIS_URL: redis.url, SHUTDOWN_DELAY_MS: '1500' } });
    expect((await fetch(`${origin(t)}/readyz`)).status).toBe(200);

    await redis.kill();
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const down = await fetch(`${origin(t)}/readyz`);
    const tookMs = Date.now() - started;
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ready: false, failing: ['redis'] });
    expect(tookMs).toBeLessThan(2500);
    expect((await fetch(`${origin(t)}/healthz`)).status).toBe(200);

    // Redis back (so the API can close its connections promptly), then the replica stops
    await redis.start();
    await waitFor('readiness again', async () => ((await fetch(`${origin(t!)}/readyz`)).status === 200 ? true : undefined), 15_000);
    const closing = t.api.close();
    const draining = await fetch(`${origin(t)}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ ready: false, shuttingDown: true });
    expect((await fetch(`${origin(t)}/healthz`)).status).toBe(200);
    await closing;
  });
});

describe('in production', () => {
  const prod = {
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('base64'),
    WORKER_TOKEN_SECRET: randomBytes(32).toString('base64'),
  };

  it('needs the bearer token for /metrics', async () => {
    const t = await startTestApi({ env: { ...prod, METRICS_TOKEN: 'scrape-secret-1234' } });
    try {
      const url = `${origin(t)}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const m = await scrape(url, { authorization: 'Bearer scrape-secret-1234' });
      expect(m.has('cmd_executor_jobs{status="QUEUED"}')).toBe(true);
      // GraphiQL is off in production by default
      expect((await fetch(`${origin(t)}/graphiql`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('serves /metrics on METRICS_PORT only, and not at all without a token or port', async () => {
    const metricsPort = await freePort();
    const t = await startTestApi({ env: { ...prod, METRICS_PORT: String(metricsPort) } });
    try {
      expect((await fetch(`${origin(t)}/metrics`)).status).toBe(404);
      const m = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(m.has('cmd_executor_workers{status="ONLINE"}')).toBe(true);
    } finally {
      await t.close();
    }
    const closed = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(() => 'open', () => 'closed');
    expect(closed).toBe('closed');

    const bare = await startTestApi({ env: prod });
    try {
      expect((await fetch(`${origin(bare)}/metrics`)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
