import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { JobRunner, type JobRunnerOptions } from '../../src/runner/job-runner';
import { NoneSandbox } from '../../src/runner/none.sandbox';
import type { RunnableJob } from '../../src/runner/sandbox.types';
import { until } from '@cmd-executor/test-support/eventually';
import { FakeJobApi } from '../support/fake-job-api';
import { alive, makeJob } from '../support/jobs';

const logger = pino({ level: 'silent' });
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-runner-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function runner(job: RunnableJob, api = new FakeJobApi(), over: Partial<JobRunnerOptions> = {}): { r: JobRunner; api: FakeJobApi } {
  const r = new JobRunner(job, { api, sandbox: new NoneSandbox(), workDir, killGraceMs: 500, logger, ...over });
  return { r, api };
}

/** pids of every process in process group `pgid` */
function groupPids(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([, g]) => g === pgid)
    .map(([p]) => p!);
}


describe('JobRunner with real child processes', () => {
  it('streams stdout and stderr and reports exit code 0 after every chunk is acknowledged', async () => {
    const { r, api } = runner(makeJob({ command: 'echo out-1; echo err-1 >&2; sleep 0.1; echo out-2' }));
    const outcome = await r.run();
    expect(outcome).toEqual({ kind: 'completed', result: { exitCode: 0, signal: null, error: null, canceled: false, timedOut: false } });
    expect(api.text('STDOUT')).toBe('out-1\nout-2\n');
    expect(api.text('STDERR')).toBe('err-1\n');
    expect(api.started).toHaveLength(1);
    expect(api.ackedAtComplete).toBe(api.chunks.size);
    expect(api.ordered().map((c) => c.seq)).toEqual(api.ordered().map((_, i) => i + 1));
  });

  it('reports exit code 1', async () => {
    const { r } = runner(makeJob({ command: 'echo failing >&2; exit 1' }));
    const outcome = await r.run();
    expect(outcome.kind === 'completed' && outcome.result).toMatchObject({ exitCode: 1, signal: null, error: null });
  });

  it('reports the signal of a killed process, with no exit code', async () => {
    const { r } = runner(makeJob({ command: 'kill -KILL $$' }));
    const outcome = await r.run();
    expect(outcome.kind === 'completed' && outcome.result).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('runs command + args without a shell', async () => {
    const { r, api } = runner(makeJob({ command: 'printf', args: ['[%s]', 'a b;$HOME'] }));
    await r.run();
    expect(api.text()).toBe('[a b;$HOME]');
  });

  it('cancel kills the shell and its children within grace + 1 s, and a second cancel is harmless', async () => {
    // TERM is ignored by the shell and (inherited) by both sleeps: only the SIGKILL after
    // the grace period can end them, and it must reach the whole group.
    const { r, api } = runner(makeJob({ command: 'trap "" TERM; sleep 300 & sleep 300; wait' }));
    const done = r.run();
    await until(() => r.pid !== undefined && groupPids(r.pid).length >= 3);
    const pids = groupPids(r.pid!);
    const t0 = Date.now();
    r.stop('cancel');
    r.stop('cancel');
    r.stop('timeout');
    const outcome = await done;
    expect(Date.now() - t0).toBeLessThan(500 + 1_000);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(outcome.kind === 'completed' && outcome.result).toMatchObject({ signal: 'SIGKILL', exitCode: null, canceled: true, timedOut: false });
    expect(api.text('SYSTEM').match(/cancel requested/g)).toHaveLength(1);
    expect(api.completed).toHaveLength(1);
  });

  it('cancel of a plain sleep ends it with SIGTERM before the grace period', async () => {
    const { r } = runner(makeJob({ command: 'sleep 300 & sleep 300; wait' }), undefined, { killGraceMs: 10_000 });
    const done = r.run();
    await until(() => r.pid !== undefined && groupPids(r.pid).length >= 3);
    const pids = groupPids(r.pid!);
    const t0 = Date.now();
    r.stop('cancel');
    const outcome = await done;
    expect(Date.now() - t0).toBeLessThan(2_000);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(outcome.kind === 'completed' && outcome.result).toMatchObject({ signal: 'SIGTERM', canceled: true });
  });

  it('times out after timeoutSeconds', async () => {
    const { r } = runner(makeJob({ command: 'sleep 300', timeoutSeconds: 1 }));
    const t0 = Date.now();
    const outcome = await r.run();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(outcome.kind === 'completed' && outcome.result).toMatchObject({ timedOut: true, canceled: false, signal: 'SIGTERM' });
  });

  it('kills what the job left running in the background when it exits', async () => {
    const { r, api } = runner(makeJob({ command: 'sleep 300 & echo $!' }));
    const outcome = await r.run();
    const bg = Number(api.text('STDOUT').trim());
    expect(outcome.kind).toBe('completed');
    await until(() => !alive(bg), 1_000);
  });

  it('reports a spawn failure as an error', async () => {
    const { r, api } = runner(makeJob({ command: '/definitely/not/here', args: ['x'] }));
    const outcome = await r.run();
    expect(outcome.kind === 'completed' && outcome.result).toMatchObject({ exitCode: null, signal: null });
    expect(outcome.kind === 'completed' && outcome.result.error).toMatch(/spawn failed: .*ENOENT/);
    expect(api.text('SYSTEM')).toMatch(/ENOENT/);
  });

  it('reports a missing cwd as an error', async () => {
    const { r } = runner(makeJob({ command: 'pwd', cwd: '/no/such/dir/here' }));
    const outcome = await r.run();
    expect(outcome.kind === 'completed' && outcome.result.error).toMatch(/cwd .* does not exist/);
  });

  it('runs in a per-job directory under the work dir and removes it afterwards', async () => {
    const { r, api } = runner(makeJob({ command: 'pwd; echo data > file.txt; ls' }));
    await r.run();
    const [dir, listing] = api.text('STDOUT').split('\n');
    expect(path.dirname(dir!)).toBe(workDir);
    expect(listing).toBe('file.txt');
    expect(existsSync(dir!)).toBe(false);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('gives the job its own env only, not the agent’s', async () => {
    process.env.CMDX_AGENT_ONLY_SECRET = 'agent-private-value';
    try {
      const { r, api } = runner(
        makeJob({ command: 'echo "[$CMDX_AGENT_ONLY_SECRET][$JOB_VAR]"; env', env: [{ name: 'JOB_VAR', value: 'mine', secret: false }] }),
      );
      await r.run();
      const out = api.text('STDOUT');
      expect(out.split('\n')[0]).toBe('[][mine]');
      expect(out).not.toContain('agent-private-value');
      expect(out).toMatch(/^PATH=/m);
      expect(out).toMatch(/^HOME=/m);
    } finally {
      delete process.env.CMDX_AGENT_ONLY_SECRET;
    }
  });

  it('masks a secret split across two reads of the output', async () => {
    const secret = 'sup3r-s3cret-t0ken';
    const { r, api } = runner(
      makeJob({
        command: `printf 'token=sup3r-s3'; sleep 0.2; printf 'cret-t0ken done\\n'; printf '%s\\n' "$TOKEN" >&2`,
        env: [{ name: 'TOKEN', value: secret, secret: true }],
      }),
    );
    await r.run();
    expect(api.text('STDOUT')).toBe('token=*** done\n');
    expect(api.text('STDERR')).toBe('***\n');
    for (const c of api.ordered()) expect(c.data).not.toMatch(/sup3r|s3cret|cret-t0ken/);
  });

  it('streams 20 MB of output complete and in order, in chunks of at most 64 KiB', async () => {
    const count = 2_700_000;
    const { r, api } = runner(makeJob({ command: `seq 1 ${count}` }));
    const outcome = await r.run();
    expect(outcome.kind === 'completed' && outcome.result.exitCode).toBe(0);
    const chunks = api.ordered();
    for (const c of chunks) expect(Buffer.byteLength(c.data)).toBeLessThanOrEqual(64 * 1024);
    const text = api.text('STDOUT');
    expect(text.length).toBeGreaterThan(20_000_000);
    const expected = Array.from({ length: count }, (_, i) => `${i + 1}\n`).join('');
    expect(text === expected).toBe(true);
  }, 30_000);

  it('keeps buffering while the server is unreachable and resends after it is back', async () => {
    const api = new FakeJobApi();
    const { r } = runner(makeJob({ command: 'for i in 1 2 3 4 5; do echo line-$i; sleep 0.05; done' }), api, {
      retry: { baseMs: 20, maxMs: 50 },
      streamer: { retry: { baseMs: 20, maxMs: 50 } },
    });
    const done = r.run();
    await until(() => api.started.length === 1);
    api.down = true;
    await until(() => api.rejectedWhileDown >= 3);
    await new Promise((res) => setTimeout(res, 300));
    api.down = false;
    r.resume();
    const outcome = await done;
    expect(outcome.kind).toBe('completed');
    expect(api.text('STDOUT')).toBe('line-1\nline-2\nline-3\nline-4\nline-5\n');
    expect(api.ackedAtComplete).toBe(api.chunks.size);
  });

  it('drops output past the buffer bound while unreachable and says how much in one SYSTEM chunk', async () => {
    const api = new FakeJobApi();
    api.down = true;
    const maxBufferBytes = 64 * 1024;
    const total = 1_000_000;
    const { r } = runner(makeJob({ command: `head -c ${total} /dev/zero | tr '\\0' x` }), api, {
      retry: { baseMs: 20, maxMs: 50 },
      streamer: { maxBufferBytes, retry: { baseMs: 20, maxMs: 50 } },
    });
    // startJob succeeds only once the server is "back", after the output was produced
    const origStart = api.startJob.bind(api);
    api.startJob = async (id, attempt) => {
      api.down = false;
      await origStart(id, attempt);
      api.down = true;
    };
    const done = r.run();
    await until(() => r.pid !== undefined);
    await new Promise((res) => setTimeout(res, 500));
    api.down = false;
    r.resume();
    const outcome = await done;
    expect(outcome.kind).toBe('completed');
    const kept = api.text('STDOUT').length;
    const notes = api.ordered().filter((c) => c.stream === 'SYSTEM');
    expect(notes).toHaveLength(1);
    const dropped = Number(/(\d+) bytes of output were dropped/.exec(notes[0]!.data)![1]);
    expect(kept).toBeLessThanOrEqual(maxBufferBytes);
    expect(kept + dropped).toBe(total);
  });

  it('stops the process and reports nothing when appendLogs is refused with CONFLICT', async () => {
    const api = new FakeJobApi();
    const { r } = runner(makeJob({ command: 'echo start; sleep 300' }), api);
    const done = r.run();
    await until(() => api.chunks.size > 0);
    const pid = r.pid!;
    api.lost = true;
    // the next output triggers appendLogs → CONFLICT; a system line also triggers a send
    r.stop('cancel');
    const outcome = await done;
    expect(outcome.kind).toBe('dropped');
    expect(api.completed).toEqual([]);
    await until(() => !alive(pid), 2_000);
  });

  it('does not run the job when startJob is refused', async () => {
    const api = new FakeJobApi();
    api.lost = true;
    const marker = path.join(workDir, 'must-not-exist');
    const { r } = runner(makeJob({ command: `touch ${marker}` }), api);
    const outcome = await r.run();
    expect(outcome.kind).toBe('dropped');
    expect(existsSync(marker)).toBe(false);
    expect(r.pid).toBeUndefined();
  });

  describe('an assignment well inside its lease starts while startJob is on its way', () => {
    const fresh = (): Date => new Date(Date.now() + 15_000);
    const gate = (api: FakeJobApi): (() => void) => {
      let open!: () => void;
      api.startGate = new Promise<void>((resolve) => (open = resolve));
      return open;
    };

    it('runs the process before startJob answers, and reports only after it did', async () => {
      const api = new FakeJobApi();
      const open = gate(api);
      const marker = path.join(workDir, 'early-start');
      // It outlives the start report's delay, so startJob goes out while it runs.
      const { r } = runner(makeJob({ command: `touch ${marker}; echo early; sleep 0.3`, leaseExpiresAt: fresh() }), api);
      const done = r.run();
      await until(() => existsSync(marker));
      await new Promise((res) => setTimeout(res, 100));
      expect(api.started).toEqual([]);
      expect(api.completed).toEqual([]);
      open();
      const outcome = await done;
      expect(outcome.kind).toBe('completed');
      expect(api.started).toHaveLength(1);
      expect(api.completed).toHaveLength(1);
      expect(api.text('STDOUT')).toBe('early\n');
    });

    it('reports a process that ended before its start report was due with completeJob alone, saying how long it ran', async () => {
      const api = new FakeJobApi();
      const { r } = runner(makeJob({ command: 'sleep 0.2; echo quick', leaseExpiresAt: fresh() }), api, { startReportDelayMs: 5_000 });
      const outcome = await r.run();
      expect(outcome.kind).toBe('completed');
      expect(api.started).toEqual([]);
      expect(api.completed).toHaveLength(1);
      const ran = api.completed[0].result.ranForMs;
      expect(ran).toBeGreaterThanOrEqual(200);
      expect(ran).toBeLessThan(5_000);
      expect(api.text('STDOUT')).toBe('quick\n');
    });

    it('reports startJob once the delay has passed while the process runs, and then no ranForMs', async () => {
      const api = new FakeJobApi();
      const { r } = runner(makeJob({ command: 'sleep 0.5', leaseExpiresAt: fresh() }), api, { startReportDelayMs: 50 });
      const done = r.run();
      await until(() => api.started.length === 1, 2_000);
      expect(api.completed).toEqual([]);
      const outcome = await done;
      expect(outcome.kind).toBe('completed');
      expect(api.completed[0].result.ranForMs).toBeUndefined();
    });

    it('reports a spawn failure with completeJob alone, having run 0 ms', async () => {
      const api = new FakeJobApi();
      const { r } = runner(makeJob({ command: '/nonexistent/binary', args: ['x'], leaseExpiresAt: fresh() }), api);
      const outcome = await r.run();
      expect(outcome.kind).toBe('completed');
      expect(api.started).toEqual([]);
      expect(api.completed[0].result).toMatchObject({ ranForMs: 0 });
      expect(api.completed[0].result.error).toMatch(/spawn/);
    });

    it('kills the process group and reports nothing when startJob is then refused', async () => {
      const api = new FakeJobApi();
      const open = gate(api);
      const { r } = runner(makeJob({ command: 'sleep 300 & sleep 300; wait', leaseExpiresAt: fresh() }), api);
      const done = r.run();
      await until(() => r.pid !== undefined && groupPids(r.pid).length >= 3);
      const pids = groupPids(r.pid!);
      api.lost = true;
      open();
      const outcome = await done;
      expect(outcome.kind).toBe('dropped');
      expect(outcome.kind === 'dropped' && outcome.reason).toMatch(/^startJob refused/);
      expect(api.completed).toEqual([]);
      for (const pid of pids) await until(() => !alive(pid), 2_000);
    });

    it('waits for startJob when the lease is too close to its end', async () => {
      const api = new FakeJobApi();
      api.lost = true;
      const marker = path.join(workDir, 'late-start-must-not-exist');
      const { r } = runner(makeJob({ command: `touch ${marker}`, leaseExpiresAt: new Date(Date.now() + 2_000) }), api);
      const outcome = await r.run();
      expect(outcome.kind).toBe('dropped');
      expect(existsSync(marker)).toBe(false);
      expect(r.pid).toBeUndefined();
    });
  });

  it('drop() kills the process group and reports nothing', async () => {
    const api = new FakeJobApi();
    const { r } = runner(makeJob({ command: 'sleep 300 & sleep 300; wait' }), api);
    const done = r.run();
    await until(() => r.pid !== undefined && groupPids(r.pid).length >= 3);
    const pids = groupPids(r.pid!);
    r.drop('heartbeat said lost');
    r.drop('again');
    const outcome = await done;
    expect(outcome).toEqual({ kind: 'dropped', reason: 'heartbeat said lost' });
    expect(api.completed).toEqual([]);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});
