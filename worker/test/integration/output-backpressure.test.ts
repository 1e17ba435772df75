import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { JobRunner, type JobRunnerOptions } from '../../src/runner/job-runner';
import { NoneSandbox } from '../../src/runner/none.sandbox';
import type { RunnableJob } from '../../src/runner/sandbox.types';
import { FakeJobApi } from '../support/fake-job-api';
import { makeJob } from '../support/jobs';

const logger = pino({ level: 'silent' });
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-backpressure-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function runner(job: RunnableJob, api: FakeJobApi, over: Partial<JobRunnerOptions> = {}): JobRunner {
  return new JobRunner(job, { api, sandbox: new NoneSandbox(), workDir, killGraceMs: 500, logger, ...over });
}

const LINE = `${'a'.repeat(99)}\n`;

describe('JobRunner output backpressure (real child processes, a slow server)', () => {
  it('a 50 MB fast producer against a slow server arrives complete and in order, with bounded memory and no drop', async () => {
    const total = 50_000_000;
    const api = new FakeJobApi();
    api.appendDelayMs = 10;
    const maxBufferBytes = 1024 * 1024;
    const r = runner(makeJob({ command: `yes ${'a'.repeat(99)} | head -c ${total}` }), api, {
      streamer: { maxBufferBytes },
    });
    const started = Date.now();
    const outcome = await r.run();
    const ms = Date.now() - started;
    expect(outcome.kind === 'completed' && outcome.result.exitCode).toBe(0);
    const stats = r.outputStats;
    // the job was actually held back, and the queue never grew past the mark + the pipe read
    // that crossed it + one read the pipe had already handed over before the pause took hold
    // (seen on a loaded machine)
    expect(stats.flowPauses).toBeGreaterThan(0);
    expect(stats.highWaterBytes).toBeLessThanOrEqual(maxBufferBytes / 2);
    expect(stats.peakQueuedBytes).toBeLessThanOrEqual(stats.highWaterBytes + 2 * 64 * 1024);
    const chunks = api.ordered();
    expect(chunks.filter((c) => c.stream !== 'STDOUT')).toEqual([]);
    const text = api.text('STDOUT');
    expect(text.length).toBe(total);
    expect(text === LINE.repeat(total / LINE.length)).toBe(true);
    expect(api.ackedAtComplete).toBe(chunks.length);
    // ~5 MB/s is far below what `yes` produces: the run is paced by the server, not dropped
    expect(ms).toBeGreaterThan(100);
  }, 60_000);

  it('does not give up on pipes held back by backpressure after the job exited', async () => {
    // The producer exits while ~100+ KiB still sit in the paused pipe; draining it takes far
    // longer than pipeCloseTimeoutMs, which must only count time the pipes are read.
    const total = 600_000;
    const api = new FakeJobApi();
    api.appendDelayMs = 150;
    const r = runner(makeJob({ command: `head -c ${total} /dev/zero | tr '\\0' x; echo done >&2` }), api, {
      pipeCloseTimeoutMs: 100,
      streamer: { maxBufferBytes: 128 * 1024, maxChunkBytes: 16 * 1024 },
    });
    const outcome = await r.run();
    expect(outcome.kind === 'completed' && outcome.result.exitCode).toBe(0);
    expect(r.outputStats.flowPauses).toBeGreaterThan(0);
    const out = api.text('STDOUT');
    expect(out.length).toBe(total);
    expect(/^x*$/.test(out)).toBe(true);
    expect(api.text('STDERR')).toBe('done\n');
    expect(api.ordered().filter((c) => c.stream === 'SYSTEM')).toEqual([]);
  }, 30_000);

  it('cancel while the output is held back kills the job and still delivers what it wrote', async () => {
    const api = new FakeJobApi();
    api.appendDelayMs = 100;
    const r = runner(makeJob({ command: 'yes' }), api, {
      streamer: { maxBufferBytes: 256 * 1024 },
    });
    const done = r.run();
    const end = Date.now() + 5_000;
    while (r.outputStats.flowPauses === 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    expect(r.outputStats.flowPauses).toBeGreaterThan(0);
    r.stop('cancel');
    const outcome = await done;
    expect(outcome.kind === 'completed' && outcome.result.canceled).toBe(true);
    const chunks = api.ordered();
    const out = chunks.filter((c) => c.stream === 'STDOUT').map((c) => c.data).join('');
    expect(out.length).toBeGreaterThan(128 * 1024);
    // everything read is whole lines of "y" (the last one may be cut by the kill)
    expect(/^(y\n)*y?$/.test(out)).toBe(true);
    expect(chunks.some((c) => c.stream === 'SYSTEM' && /cancel requested/.test(c.data))).toBe(true);
    expect(chunks.some((c) => /dropped/.test(c.data))).toBe(false);
    expect(api.ackedAtComplete).toBe(chunks.length);
  }, 30_000);

  it('gives up on output a server never acknowledges past one seq, and still reports the job', async () => {
    const api = new FakeJobApi();
    api.ackStuckAt = 2;
    const r = runner(makeJob({ command: `head -c 300000 /dev/zero | tr '\\0' z` }), api, {
      streamer: { maxChunkBytes: 16 * 1024, maxStalledResends: 3, retry: { baseMs: 10, maxMs: 20 } },
    });
    const outcome = await r.run();
    expect(outcome.kind === 'completed' && outcome.result.exitCode).toBe(0);
    expect(api.completed).toHaveLength(1);
    expect(api.ackedAtComplete).toBe(2);
    // the first round, then maxStalledResends resends of the unacknowledged rest: bounded
    const chunksSent = Math.ceil(300_000 / (16 * 1024));
    expect(api.appendCalls).toBeLessThanOrEqual(chunksSent * 5);
    expect(api.duplicateChunks).toBeGreaterThan(0);
  }, 30_000);
});
