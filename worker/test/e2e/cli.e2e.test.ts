import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeWorkerServer } from '../support/fake-server';

/** The built CLI (`npm run build` runs before the e2e tier) as a real process. */
const CLI = path.join(__dirname, '../../dist/cli.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function runCli(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

let server: FakeWorkerServer;
let workDir: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
});

beforeEach(async () => {
  server = new FakeWorkerServer(new Set(['cli-token-value']));
  await server.start();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-cli-'));
});

afterEach(async () => {
  await server.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('cmd-executor-worker CLI', () => {
  it('--help explains every option and its environment variable', async () => {
    const run = runCli(['--help']);
    expect(await run.exited).toBe(0);
    const help = run.stdout();
    for (const [flag, env] of [
      ['--server', 'CMD_EXECUTOR_SERVER'],
      ['--token', 'CMD_EXECUTOR_WORKER_TOKEN'],
      ['--name', 'CMD_EXECUTOR_WORKER_NAME'],
      ['--labels', 'CMD_EXECUTOR_LABELS'],
      ['--concurrency', 'CMD_EXECUTOR_CONCURRENCY'],
      ['--work-dir', 'CMD_EXECUTOR_WORK_DIR'],
      ['--sandbox', 'CMD_EXECUTOR_SANDBOX'],
      ['--kill-grace', 'CMD_EXECUTOR_KILL_GRACE'],
      ['--shutdown-timeout', 'CMD_EXECUTOR_SHUTDOWN_TIMEOUT'],
      ['--log-level', 'CMD_EXECUTOR_LOG_LEVEL'],
    ]) {
      expect(help).toContain(flag);
      expect(help).toContain(env);
    }
  });

  it('exits 2 with a message when no token is given', async () => {
    const run = runCli(['--server', server.url]);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/--token/);
  });

  it('exits 1 with a clear message on a refused token, without retrying', async () => {
    const run = runCli(['--server', server.url, '--work-dir', workDir], { CMD_EXECUTOR_WORKER_TOKEN: 'not-the-token' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/refused the worker token \(4403/);
    expect(server.connectionAttempts).toBe(1);
    expect(run.stdout() + run.stderr()).not.toContain('not-the-token');
  });

  it('takes its options from the environment, runs a job, and on SIGTERM lets it finish and exits 0', async () => {
    const run = runCli([], {
      CMD_EXECUTOR_SERVER: server.url.replace('http://', 'ws://') + '/graphql',
      CMD_EXECUTOR_WORKER_TOKEN: 'cli-token-value',
      CMD_EXECUTOR_WORKER_NAME: 'cli-worker',
      CMD_EXECUTOR_LABELS: 'gpu, linux',
      CMD_EXECUTOR_CONCURRENCY: '3',
      CMD_EXECUTOR_WORK_DIR: workDir,
    });
    try {
      await server.waitFor(() => server.subscriberCount === 1, 10_000, 'the CLI to subscribe');
      expect(server.registrations[0]).toMatchObject({ name: 'cli-worker', labels: ['gpu', 'linux'], capacity: 3 });
      expect(server.registrations[0]!.sandboxes).toContain('NONE');
      server.assign({ jobId: 'cli-job', command: 'sleep 0.5; echo done' });
      await server.waitFor(() => server.state('cli-job').started, 5_000, 'startJob');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(server.state('cli-job').completed).toMatchObject({ exitCode: 0 });
      expect(server.text('cli-job')).toBe('done\n');
      const logLines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
      expect(logLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['registered', 'job assigned', 'worker agent stopped']));
      expect(run.stdout()).not.toContain('cli-token-value');
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 20_000);
});
