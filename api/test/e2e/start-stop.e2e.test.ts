import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '@cmd-executor/test-support/eventually';
import { gql, login, ok } from '@cmd-executor/test-support/graphql-client';

/**
 * Starting and stopping `node api/dist/main.js` (what `npm start` runs) as a person does: a
 * start that cannot succeed says why in one line and creates nothing; Ctrl-C says what it
 * waits for, and a second Ctrl-C ends at once, the local agent and its jobs with it.
 */
jest.setTimeout(90_000);

const MAIN = path.resolve(__dirname, '../../dist/main.js');
const PASSWORD = 'start-stop-password';
const started: ChildProcess[] = [];
const dirs: string[] = [];

interface Run {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(dataDir: string, env: Record<string, string> = {}): Run {
  const proc = spawn(process.execPath, [MAIN, '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cmdx-startstop-'));
  dirs.push(d);
  return d;
}

/** live (non-zombie) processes whose command line contains `marker` */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return found;
}

afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it('a port in use: one clear line, exit 1, no stack trace, nothing created', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  const parent = tempDir();
  const dataDir = path.join(parent, 'data');
  try {
    const r = run(dataDir, { PORT: String(port), ADMIN_PASSWORD: '' });
    expect(await r.exited).toBe(1);
    const lines = r.output().trim().split('\n');
    expect(lines).toEqual([`cmd-executor: port ${port} on 127.0.0.1 is already in use (another cmd-executor?); stop it, or set PORT`]);
    expect(existsSync(dataDir)).toBe(false); // no data, no admin, no password spent
  } finally {
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});

it('a data dir in use: one clear line and exit 1; the running instance is not disturbed', async () => {
  const dataDir = tempDir();
  const first = run(dataDir);
  const url = await eventually(async () => /GraphQL:\s+(http:\/\/\S+\/graphql)/.exec(first.output())?.[1], 30_000, 'the first instance');
  const second = run(dataDir);
  expect(await second.exited).toBe(1);
  expect(second.output().trim().split('\n')).toEqual([
    `cmd-executor: the data dir ${dataDir} is in use by another cmd-executor (process ${first.proc.pid}); stop it first, or start this one with --data-dir DIR`,
  ]);
  const token = await login(url, 'admin', PASSWORD);
  expect(ok(await gql<{ me: { username: string } }>(url, '{ me { username } }', undefined, { token })).me.username).toBe('admin');
  first.proc.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  // nothing was running: nothing to wait for
  expect(first.output()).toContain('cmd-executor: stopping: no jobs running; send it again to stop now');
});

it('Ctrl-C says what it waits for; a second one stops at once, with the local agent and its jobs', async () => {
  const dataDir = tempDir();
  const main = run(dataDir);
  const url = await eventually(async () => /GraphQL:\s+(http:\/\/\S+\/graphql)/.exec(main.output())?.[1], 30_000, 'main to start');
  const token = await login(url, 'admin', PASSWORD);
  const marker = `29.${process.pid % 10_000}7`;
  for (let i = 0; i < 2; i += 1) {
    ok(await gql(url, 'mutation($c: String!) { createJob(input: {command: $c}) { id } }', { c: `sleep ${marker}` }, { token }));
  }
  await eventually(async () => {
    const r = ok(await gql<{ jobs: { edges: Array<{ node: { status: string } }> } }>(url, '{ jobs { edges { node { status } } } }', undefined, { token }));
    return r.jobs.edges.filter((e) => e.node.status === 'RUNNING').length === 2 ? true : undefined;
  }, 20_000, 'both jobs RUNNING');
  const agentPid = Number(/local agent "local" \(pid (\d+)\)/.exec(main.output())?.[1]);
  expect(agentPid).toBeGreaterThan(0);

  main.proc.kill('SIGINT');
  await eventually(async () => (main.output().includes('stopping:') ? true : undefined), 5_000, 'the first Ctrl-C to say something');
  expect(main.output()).toContain('cmd-executor: stopping: waiting up to 30 s for 2 running jobs; Ctrl-C again to stop now');
  expect(main.proc.exitCode).toBeNull(); // it waits

  const second = Date.now();
  main.proc.kill('SIGINT');
  expect(await main.exited).toBe(1);
  const ms = Date.now() - second;
  console.log(`second Ctrl-C: main exited after ${ms} ms`);
  expect(ms).toBeLessThan(3_000);
  await eventually(async () => (processesWith(marker).length === 0 && !existsSync(`/proc/${agentPid}`) ? true : undefined), 2_000, 'agent and jobs gone');
});
