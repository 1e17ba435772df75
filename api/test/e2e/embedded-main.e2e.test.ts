import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '@cmd-executor/test-support/eventually';
import { gql, login, ok } from '@cmd-executor/test-support/graphql-client';

/**
 * The README's main command as a user runs it: `node api/dist/main.js` (what `npm start` runs
 * after building) — the API on the embedded store, the web UI, and the local worker agent as a
 * child process — driven over GraphQL, then stopped.
 */
jest.setTimeout(60_000);

const MAIN = path.resolve(__dirname, '../../dist/main.js');
const PASSWORD = 'embedded-main-password';
let dataDir: string;
const started: ChildProcess[] = [];

interface Running {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

async function startMain(): Promise<Running> {
  const proc = spawn(process.execPath, [MAIN, '--data-dir', dataDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await eventually(async () => /GraphQL:\s+(http:\/\/\S+\/graphql)/.exec(out)?.[1], 30_000, "main.js to print its URL");
  return { proc, url, output: () => out };
}

/** pids of the local agent processes whose parent is `ppid` */
function agentChildren(ppid: number): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null && Number(m[2]) === ppid && m[3]!.includes('cli.js'))
    .map((m) => Number(m[1]));
}

/** Running (a zombie whose new parent has not reaped it yet counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const exited = (proc: ChildProcess): Promise<number | null> =>
  proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve(proc.exitCode) : new Promise((resolve) => proc.once('exit', (code) => resolve(code)));

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-main-'));
});
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

it('runs `echo hello` on the local agent (a child process), then stops it with itself on SIGTERM', async () => {
  const main = await startMain();
  const agents = await eventually(async () => {
    const pids = agentChildren(main.proc.pid!);
    return pids.length === 1 ? pids : undefined;
  }, 10_000, 'the local agent process');
  const token = await login(main.url, 'admin', PASSWORD);
  await eventually(async () => {
    const r = ok(await gql<{ workers: Array<{ name: string; status: string }> }>(main.url, '{ workers { name status } }', undefined, { token }));
    return r.workers.some((w) => w.name === 'local' && w.status === 'ONLINE') ? true : undefined;
  }, 15_000, 'the local worker ONLINE');

  const created = ok(await gql<{ createJob: { id: string } }>(main.url, 'mutation { createJob(input: {command: "echo hello"}) { id } }', undefined, { token }));
  const job = await eventually(async () => {
    const r = ok(await gql<{ job: { status: string; exitCode: number | null; logs: Array<{ stream: string; data: string }> } }>(main.url, 'query($id: ID!) { job(id: $id) { status exitCode logs { stream data } } }', { id: created.createJob.id }, { token }));
    return r.job.status === 'SUCCEEDED' || r.job.status === 'FAILED' ? r.job : undefined;
  }, 15_000, 'the job to finish');
  expect(job).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
  expect(job.logs.filter((l) => l.stream === 'STDOUT').map((l) => l.data).join('')).toBe('hello\n');
  // the token travels in the agent's environment, never on its command line
  expect(execFileSync('ps', ['-o', 'args=', '-p', String(agents[0])], { encoding: 'utf8' })).not.toMatch(/token/i);

  main.proc.kill('SIGTERM');
  expect(await exited(main.proc)).toBe(0);
  expect(agents.filter(alive)).toEqual([]);
});

it('a killed main leaves no agent behind: the agent stops when its parent is gone', async () => {
  const main = await startMain(); // same data dir: the saved local worker token is used again
  const agents = await eventually(async () => {
    const pids = agentChildren(main.proc.pid!);
    return pids.length === 1 ? pids : undefined;
  }, 10_000, 'the local agent process');
  main.proc.kill('SIGKILL');
  await exited(main.proc);
  await eventually(async () => (agents.some(alive) ? undefined : true), 10_000, `the orphaned agent to stop; output: ${main.output()}`);
});
