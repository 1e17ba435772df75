import { createHook } from 'node:async_hooks';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startAgent, WorkerAgent, type Agent } from '../../src/agent/agent';
import type { AgentOptions } from '../../src/agent/agent.options';
import { WorkerError } from '../../src/errors';
import { FakeWorkerServer } from '../support/fake-server';
import { alive } from '../support/jobs';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let workDir: string;
let server: FakeWorkerServer;
let agent: Agent | undefined;

beforeEach(async () => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-agent-'));
  server = new FakeWorkerServer();
  await server.start();
});

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  await server.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs `fn` after the current test (whatever its outcome). */
const afterTest: Array<() => void> = [];
function afterEachOnce(fn: () => void): void {
  afterTest.push(fn);
}
afterEach(() => {
  for (const fn of afterTest.splice(0)) fn();
});

/**
 * The timers the agent's code set from now on (its source is on the stack) that are still
 * pending and keep the process alive, each as where it was set. Counting the process's timers
 * instead is unreliable: the test's own and the fake server's come and go meanwhile.
 */
function trackTimers(): { pending: () => string[]; stop: () => void } {
  const live = new Map<number, { timer: { hasRef(): boolean }; stack: string }>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (stack.includes(`${path.sep}worker${path.sep}src${path.sep}`)) live.set(id, { timer: resource as { hasRef(): boolean }, stack: stack.split('\n').slice(2, 12).join('\n') });
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return { pending: () => [...live.values()].filter((t) => t.timer.hasRef()).map((t) => t.stack), stop: () => hook.disable() };
}

function options(over: Partial<AgentOptions> = {}): AgentOptions {
  return {
    server: server.url,
    token: 'good-token',
    name: 'test-worker',
    labels: ['linux', 'fast'],
    concurrency: 2,
    workDir,
    killGraceSeconds: 1,
    shutdownTimeoutSeconds: 5,
    logger,
    reconnect: { baseMs: 50, maxMs: 200 },
    keepAliveMs: 2_000,
    requestTimeoutMs: 2_000,
    ...over,
  };
}

const completed = (jobId: string, attempt = 1) => () => server.state(jobId, attempt).completed !== undefined;

describe('worker agent against a graphql-ws server speaking the contract', () => {
  it('registers, runs an assigned job, streams its output and completes it after the last ack', async () => {
    agent = await startAgent(options());
    expect(server.registrations).toHaveLength(1);
    expect(server.registrations[0]).toMatchObject({
      name: 'test-worker',
      labels: ['linux', 'fast'],
      capacity: 2,
      sandboxes: ['NONE'],
      runningJobs: [],
    });
    await server.waitFor(() => server.subscriberCount === 1, 5_000, 'subscription');
    server.assign({ jobId: 'j1', command: 'echo hello; echo oops >&2; exit 3', env: [{ name: 'A', value: 'x', secret: false }] });
    await server.waitFor(completed('j1'), 5_000, 'completeJob');
    const s = server.state('j1');
    expect(s.started).toBe(true);
    expect(server.text('j1', 1, 'STDOUT')).toBe('hello\n');
    expect(server.text('j1', 1, 'STDERR')).toBe('oops\n');
    expect(s.completed).toMatchObject({ exitCode: 3, signal: null, error: null, canceled: false, timedOut: false });
    expect(s.ackedAtComplete).toBe(s.chunksAtComplete);
    expect(s.chunksAtComplete).toBeGreaterThan(0);
    expect(agent.workerId).toBe('worker-1');
  });

  it('runs assigned jobs side by side, each with its own seq numbering', async () => {
    agent = await startAgent(options({ concurrency: 3 }));
    await server.waitFor(() => server.subscriberCount === 1);
    const t0 = Date.now();
    for (const id of ['p1', 'p2', 'p3']) server.assign({ jobId: id, command: `sleep 0.6; echo ${id}` });
    await server.waitFor(() => ['p1', 'p2', 'p3'].every((id) => completed(id)()), 5_000, 'three completions');
    expect(Date.now() - t0).toBeLessThan(1_500);
    for (const id of ['p1', 'p2', 'p3']) {
      expect(server.text(id)).toBe(`${id}\n`);
      expect([...server.state(id).chunks.keys()]).toEqual([1]);
    }
  });

  it('masks secret env values in the output the server receives', async () => {
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 'sec', command: 'echo "token is $API_TOKEN"', env: [{ name: 'API_TOKEN', value: 'tok-123-secret', secret: true }] });
    await server.waitFor(completed('sec'));
    expect(server.text('sec')).toBe('token is ***\n');
  });

  it('refuses a bad token with a clear error and does not retry', async () => {
    const err = await startAgent(options({ token: 'wrong' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).code).toBe('AUTH');
    expect((err as WorkerError).message).toMatch(/4403.*token/);
    await new Promise((r) => setTimeout(r, 400));
    expect(server.connectionAttempts).toBe(1);
  });

  it('stops a job on a CANCEL event and reports it canceled', async () => {
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 'c1', command: 'echo started; sleep 300 & sleep 300; wait' });
    await server.waitFor(() => server.text('c1').includes('started'));
    server.cancel('c1');
    server.cancel('c1');
    await server.waitFor(completed('c1'), 5_000, 'completeJob after cancel');
    expect(server.state('c1').completed).toMatchObject({ canceled: true, signal: 'SIGTERM', exitCode: null });
    expect(server.text('c1', 1, 'SYSTEM')).toMatch(/cancel requested/);
  });

  it('lists running attempts in heartbeats and kills an attempt the server reports lost, reporting nothing', async () => {
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 'h1', command: 'echo $$; sleep 300' });
    await server.waitFor(() => server.text('h1').length > 0);
    const pid = Number(server.text('h1').trim());
    await server.waitFor(
      () =>
        server
          .callsOf('heartbeat')
          .some((h) => (h.runningJobs as { jobId: string; attempt: number }[]).some((a) => a.jobId === 'h1' && a.attempt === 1)),
      5_000,
      'heartbeat listing h1',
    );
    server.loseLease('h1');
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.callsOf('completeJob')).toEqual([]);
    expect(agent.runningJobs()).toEqual([]);
  });

  it('after a network cut, re-registers with its running attempt, resends unacknowledged output and completes', async () => {
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 'r1', command: 'for i in $(seq 1 30); do echo line-$i; sleep 0.05; done' });
    await server.waitFor(() => server.text('r1').includes('line-3'));
    // the server loses what arrives next, then the connection drops
    server.failAppends = true;
    await server.waitFor(() => server.callsOf('appendLogs').length > 0 && server.state('r1').ackedSeq < 100, 5_000);
    await new Promise((r) => setTimeout(r, 200));
    server.dropConnections();
    server.failAppends = false;
    await server.waitFor(() => server.registrations.length === 2, 5_000, 're-registration');
    expect(server.registrations[1]).toMatchObject({ runningJobs: [{ jobId: 'r1', attempt: 1 }] });
    await server.waitFor(completed('r1'), 10_000, 'completeJob');
    const expected = Array.from({ length: 30 }, (_, i) => `line-${i + 1}\n`).join('');
    expect(server.text('r1', 1, 'STDOUT')).toBe(expected);
    expect(server.state('r1').completed).toMatchObject({ exitCode: 0 });
    // one subscription on the new connection (graphql-ws did not replay the old one as well)
    expect(server.subscriberCount).toBe(1);
  });

  it('drops a connection whose pings go unanswered and reconnects', async () => {
    agent = await startAgent(options({ keepAliveMs: 300 }));
    await server.waitFor(() => server.subscriberCount === 1);
    server.freezeConnections();
    await server.waitFor(() => server.registrations.length === 2, 5_000, 're-registration on a new connection');
    // the frozen socket's subscription is still open on the server; wait for the new one too
    await server.waitFor(() => server.subscriberCount === 2, 5_000, 'a new subscription');
    server.assign({ jobId: 'thaw', command: 'echo alive' });
    await server.waitFor(completed('thaw'), 5_000, 'completeJob');
    expect(server.text('thaw')).toBe('alive\n');
  });

  it('survives the server being down for a while (retries with backoff)', async () => {
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    const port = server.port;
    await server.close();
    await new Promise((r) => setTimeout(r, 500));
    server = new FakeWorkerServer();
    await server.start(port);
    await server.waitFor(() => server.registrations.length === 1 && server.subscriberCount === 1, 5_000, 're-registration');
    server.assign({ jobId: 'after', command: 'echo back' });
    await server.waitFor(completed('after'));
    expect(server.text('after')).toBe('back\n');
  });

  it('graceful stop lets a running job finish and report, then leaves nothing behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const timers = trackTimers();
    afterEachOnce(() => timers.stop());
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 'g1', command: 'sleep 0.5; echo finished' });
    await server.waitFor(() => server.state('g1').started);
    await agent.stop();
    expect(server.state('g1').completed).toMatchObject({ exitCode: 0 });
    expect(server.text('g1')).toBe('finished\n');
    await server.waitFor(() => server.subscriberCount === 0, 2_000, 'unsubscribe');
    // no new work after stop
    server.assign({ jobId: 'late', command: 'echo no' });
    await new Promise((r) => setTimeout(r, 200));
    expect(server.state('late').started).toBe(false);
    expect(readdirSync(workDir)).toEqual([]);
    // A closing socket holds a timer until its peer's end arrives (ws's close timer): give what
    // is already ending a moment, so that only what stays counts.
    const count = (rs: string[], type: string) => rs.filter((r) => r === type).length;
    const settled = () => {
      const now = process.getActiveResourcesInfo();
      return timers.pending().length === 0 && count(now, 'TCPSocketWrap') <= count(before, 'TCPSocketWrap') && count(now, 'ProcessWrap') === 0;
    };
    for (let waited = 0; waited < 2_000 && !settled(); waited += 50) await new Promise((r) => setTimeout(r, 50));
    const after = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const left = timers.pending();
    if (left.length > 0) throw new Error(`the agent left ${left.length} timer(s) pending, set at:\n${left.join('\n---\n')}`);
    expect(count(after, 'TCPSocketWrap')).toBeLessThanOrEqual(count(before, 'TCPSocketWrap'));
    expect(after.filter((r) => r === 'ProcessWrap')).toEqual([]);
    agent = undefined;
  });

  it('stops jobs still running at the shutdown timeout and reports why', async () => {
    agent = await startAgent(options({ shutdownTimeoutSeconds: 0.3 }));
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 's1', command: 'echo $$; sleep 300' });
    await server.waitFor(() => server.text('s1').length > 0);
    const pid = Number(server.text('s1').trim());
    const t0 = Date.now();
    await agent.stop();
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(alive(pid)).toBe(false);
    expect(server.state('s1').completed).toMatchObject({ signal: 'SIGTERM', error: expect.stringMatching(/shut down/) });
    agent = undefined;
  });

  it('fails a job that asks for a sandbox this worker lacks, without running it', async () => {
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    const marker = path.join(workDir, 'ran');
    server.assign({ jobId: 'ns', command: `touch ${marker}`, sandbox: 'NAMESPACE' });
    await server.waitFor(completed('ns'));
    expect(server.state('ns').completed).toMatchObject({ exitCode: null, error: expect.stringMatching(/cannot run sandbox NAMESPACE/) });
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('gives up with an AUTH error when the token is revoked mid-session, killing its jobs without reporting them', async () => {
    agent = await startAgent(options());
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 'rv', command: 'echo $$; sleep 300' });
    await server.waitFor(() => server.text('rv').length > 0);
    const pid = Number(server.text('rv').trim());
    server.revokeAll();
    await expect(agent.closed).rejects.toMatchObject({ code: 'AUTH' });
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 3_000) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    expect(server.callsOf('completeJob')).toEqual([]);
    agent = undefined;
  });

  it('stop() while the server is unreachable ends start() and closes cleanly', async () => {
    const port = server.port;
    await server.close();
    const a = new WorkerAgent(options({ server: `http://127.0.0.1:${port}` }));
    const started = a.start();
    await new Promise((r) => setTimeout(r, 300));
    await a.stop();
    await started;
    await a.closed;
    expect(a.workerId).toBeUndefined();
    server = new FakeWorkerServer();
    await server.start();
  });
});

describe('worker agent shutdown', () => {
  it('stop({ now: true }) during a graceful stop stops the running jobs at once', async () => {
    agent = await startAgent(options({ shutdownTimeoutSeconds: 60 }));
    await server.waitFor(() => server.subscriberCount === 1);
    server.assign({ jobId: 'n1', command: 'sleep 300' });
    await server.waitFor(() => server.state('n1').started);
    const t0 = Date.now();
    const graceful = agent.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.state('n1').completed).toBeUndefined();
    await agent.stop({ now: true });
    await graceful;
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(server.state('n1').completed).toMatchObject({ signal: 'SIGTERM', error: expect.stringMatching(/shut down/) });
    agent = undefined;
  });
});
