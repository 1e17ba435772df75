/**
 * The spawn helper forks job processes for the agent (a real python3 process). Its jobs must
 * behave as the ones the agent forks itself: a process group of their own, the job's env and
 * cwd only, stdin /dev/null, every signal at its default, output read by the agent with
 * backpressure, exit code or signal exact, Node's spawn errors. And nothing it started may
 * outlive the agent, even a job the guardian did not know yet.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ProcessGroup } from '../../src/runner/process-group';
import { SpawnHelper } from '../../src/runner/spawn-helper';
import type { SpawnSpec } from '../../src/runner/sandbox.types';
import { processesWith, statFields, waitUntil } from '../support/processes';

jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../../..');
const logger = pino({ level: 'silent' });
let helper: SpawnHelper;
let dir: string;

beforeAll(async () => {
  const started = await SpawnHelper.start({ logger });
  if (!started) throw new Error('python3 is needed by these tests (the CI installs it)');
  helper = started;
});
afterAll(async () => helper.close());
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-spawn-helper-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sh = (script: string, env: Record<string, string> = { PATH: '/usr/bin:/bin' }): SpawnSpec => ({ file: '/bin/sh', args: ['-c', script], env, cwd: dir });

async function run(spec: SpawnSpec): Promise<{ pid: number; out: string; err: string; exit: { exitCode: number | null; signal: string | null } }> {
  const p = await ProcessGroup.start(spec, undefined, helper);
  let out = '';
  let err = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  p.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const closed = Promise.all([new Promise((r) => p.stdout.once('close', r)), new Promise((r) => p.stderr.once('close', r))]);
  const exit = await p.exited;
  await closed;
  return { pid: p.pid, out, err, exit };
}

it('runs the job with its own env and cwd, stdin /dev/null, and reports output and exit code', async () => {
  const res = await run(sh('echo "out $X"; echo "err" >&2; pwd; env | cut -d= -f1 | tr "\\n" " "; echo; read line || echo "stdin at eof"; exit 7', { PATH: '/usr/bin:/bin', X: 'y z' }));
  expect(res.exit).toEqual({ exitCode: 7, signal: null });
  const lines = res.out.split('\n');
  expect(lines[0]).toBe('out y z');
  expect(lines[1]).toBe(dir);
  // the job's variables only (sh adds PWD, and SHLVL in some shells): nothing of the agent's or the helper's
  const names = lines[2]!.trim().split(' ').filter((n) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(n!));
  expect(names.sort()).toEqual(['PATH', 'X']);
  expect(lines[3]).toBe('stdin at eof');
  expect(res.err).toBe('err\n');
});

it('starts each job as the leader of a process group and session of its own', async () => {
  const p = await ProcessGroup.start(sh('sleep 5'), undefined, helper);
  const [, , pgrp, session] = statFields(p.pid);
  expect(Number(pgrp)).toBe(p.pid);
  expect(Number(session)).toBe(p.pid);
  expect(p.signal('SIGKILL')).toBe(true);
  expect(await p.exited).toEqual({ exitCode: null, signal: 'SIGKILL' });
});

it('leaves no signal ignored or blocked: SIGINT and SIGPIPE end a job as they would any process', async () => {
  // Python ignores SIGPIPE, the helper ignores SIGINT: an exec would pass both on unless reset
  expect((await run(sh('kill -INT $$; sleep 2; echo survived'))).exit).toEqual({ exitCode: null, signal: 'SIGINT' });
  expect((await run(sh('kill -PIPE $$; sleep 2; echo survived'))).exit).toEqual({ exitCode: null, signal: 'SIGPIPE' });
  const masks = (await run(sh('grep -E "^Sig(Blk|Ign)" /proc/$$/status'))).out;
  expect(masks).toMatch(/SigBlk:\s+0+\n/);
  // none of signals 1–31 ignored; glibc's posix_spawn leaves its own reserved 32 and 33 ignored
  const ignored = BigInt(`0x${/SigIgn:\s+([0-9a-f]+)/.exec(masks)![1]}`);
  expect(ignored & 0x7fffffffn).toBe(0n);
});

it('looks a bare command up in the job’s PATH, and fails as Node’s spawn does when it is not there', async () => {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'my-tool'), '#!/bin/sh\necho "tool $1"\n');
  chmodSync(path.join(bin, 'my-tool'), 0o755);
  const res = await run({ file: 'my-tool', args: ['ran'], env: { PATH: `${bin}:/usr/bin:/bin` }, cwd: dir });
  expect(res.out).toBe('tool ran\n');

  const err = await ProcessGroup.start({ file: 'no-such-tool-here', args: [], env: { PATH: '/usr/bin:/bin' }, cwd: dir }, undefined, helper).catch((e: NodeJS.ErrnoException) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toBe('spawn no-such-tool-here ENOENT');
  expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  const noExec = await ProcessGroup.start({ file: path.join(bin, 'missing'), args: [], env: {}, cwd: dir }, undefined, helper).catch((e: Error) => e);
  expect((noExec as Error).message).toBe(`spawn ${path.join(bin, 'missing')} ENOENT`);
});

it('reads large output completely, with the pipes paused and resumed by the reader', async () => {
  const p = await ProcessGroup.start(sh('head -c 20000000 /dev/zero; echo tail >&2'), undefined, helper);
  let bytes = 0;
  p.stdout.on('data', (b: Buffer) => {
    bytes += b.length;
    // a slow reader: the job must block on write, not lose output
    p.stdout.pause();
    setTimeout(() => p.stdout.resume(), 1);
  });
  let err = '';
  p.stderr.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise((r) => p.stdout.once('close', r));
  expect(await p.exited).toEqual({ exitCode: 0, signal: null });
  expect(bytes).toBe(20_000_000);
  expect(err).toBe('tail\n');
});

it('hands back pipes the helper no longer holds: the job gets SIGPIPE once the agent stops reading', async () => {
  const p = await ProcessGroup.start(sh('sleep 0.2; exec yes'), undefined, helper);
  p.stdout.destroy(); // the only reader left closes its end
  p.stderr.resume();
  expect(await p.exited).toEqual({ exitCode: null, signal: 'SIGPIPE' });
});

it('starts jobs many at a time, each with its own pipes and exit', async () => {
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => run(sh(`echo job ${i}; exit ${i % 5}`))));
  results.forEach((r, i) => {
    expect(r.out).toBe(`job ${i}\n`);
    expect(r.exit.exitCode).toBe(i % 5);
  });
});

it('kill -9 of its owner: the helper kills every job group it started, grandchildren included', async () => {
  const marker = `331.${process.pid % 10_000}7`;
  // an owner process of its own with no guardian: only the helper can end these jobs
  const owner = spawn(process.execPath, [path.join(ROOT, 'worker/test/support/run-ts.js'), path.join(__dirname, '../support/spawn-helper-owner.ts'), marker], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    owner.stdout!.on('data', (b: Buffer) => b.toString().includes('started') && resolve());
    owner.once('exit', (code) => reject(new Error(`the owner exited (${code})`)));
  });
  await waitUntil(() => processesWith(marker).length >= 6, 10_000, 'the jobs started their trees');
  owner.kill('SIGKILL');
  const ms = await waitUntil(() => processesWith(marker).length === 0, 5_000, 'job processes gone');
  expect(ms).toBeLessThan(1_000);
  expect(processesWith('cmd-executor-spawn-helper').filter((pid) => statFields(pid)[1] === String(owner.pid))).toEqual([]);
});

it('kill -9 of the helper: its running jobs are killed and reported so, and later jobs are forked by the agent', async () => {
  const own = await SpawnHelper.start({ logger });
  const marker = `332.${process.pid % 10_000}8`;
  const p = await ProcessGroup.start(sh(`sleep ${marker} & sleep ${marker}`), undefined, own);
  p.stdout.resume();
  p.stderr.resume();
  await waitUntil(() => processesWith(marker).length >= 2, 5_000, 'the job started');
  process.kill(own!.pid!, 'SIGKILL');
  expect(await p.exited).toEqual({ exitCode: null, signal: 'SIGKILL' });
  await waitUntil(() => processesWith(marker).length === 0, 2_000, 'its processes gone');
  expect(own!.usable).toBe(false);
  const next = await ProcessGroup.start(sh('echo forked by the agent; sleep 5'), undefined, own);
  let out = '';
  next.stdout.on('data', (b: Buffer) => (out += b.toString()));
  expect(statFields(next.pid)[1]).toBe(String(process.pid)); // the agent's own child
  await waitUntil(() => out !== '', 5_000, 'its output');
  expect(out).toBe('forked by the agent\n');
  next.signal('SIGKILL');
  expect(await next.exited).toEqual({ exitCode: null, signal: 'SIGKILL' });
  await own!.close();
});

it('is not used where python3 is missing: start says so and the agent forks jobs itself', async () => {
  expect(await SpawnHelper.start({ logger, pythonPath: path.join(dir, 'no-python3') })).toBeUndefined();
});
