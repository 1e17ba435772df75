/**
 * The sandboxes plugged into the real agent pieces: the provider built from CLI options
 * (detection on this host) and the JobRunner running namespace-sandboxed jobs to a report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { JobRunner } from '../../../src/runner/job-runner';
import { SandboxError } from '../../../src/runner/sandbox.types';
import { addSandboxOptions, createSandboxProvider } from '../../../src/sandbox';
import { FakeJobApi } from '../../support/fake-job-api';
import { makeJob } from '../../support/jobs';

jest.setTimeout(60_000);

const logger = pino({ level: 'silent' });
let workDir: string;
const dockerUp = (() => {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-sbx-runner-'));
  // the uid a root agent switches to must be able to reach the per-job directories
  execFileSync('chmod', ['755', workDir]);
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function options(argv: string[], env: Record<string, string> = {}): Record<string, unknown> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const program = new Command().option('--name <name>').option('--kill-grace <s>');
    addSandboxOptions(program);
    program.parse(['node', 'worker', '--name', 'w-test', ...argv]);
    return program.opts();
  } finally {
    process.env = saved;
  }
}

describe('sandbox provider from CLI options', () => {
  it('on a none worker advertises what a job may narrow to, and picks the job’s request', async () => {
    const provider = await createSandboxProvider(options([]), logger);
    expect(provider.defaultKind).toBe('NONE');
    expect(provider.kinds).toEqual(dockerUp ? ['NONE', 'NAMESPACE', 'DOCKER'] : ['NONE', 'NAMESPACE']);
    expect(provider.select(makeJob()).kind).toBe('NONE');
    expect(provider.select(makeJob({ sandbox: 'NAMESPACE' })).kind).toBe('NAMESPACE');
    if (!dockerUp) expect(() => provider.select(makeJob({ sandbox: 'DOCKER' }))).toThrow(/cannot run it/);
  });

  it('on a namespace worker refuses a job asking for none', async () => {
    const provider = await createSandboxProvider(options(['--sandbox', 'namespace']), logger);
    expect(provider.kinds).toEqual(['NAMESPACE']);
    expect(provider.select(makeJob()).kind).toBe('NAMESPACE');
    expect(() => provider.select(makeJob({ sandbox: 'NONE' }))).toThrow(SandboxError);
  });

  it('refuses to start with a default the host cannot run, saying why', async () => {
    if (dockerUp) return expect(createSandboxProvider(options(['--sandbox', 'docker']), logger)).resolves.toBeDefined();
    await expect(createSandboxProvider(options(['--sandbox', 'docker']), logger)).rejects.toThrow(
      /--sandbox docker is not available on this host: docker info failed/,
    );
  });

  it('takes limits from the environment and rejects bad ones', async () => {
    await expect(createSandboxProvider(options([], { CMD_EXECUTOR_MEMORY_LIMIT: 'lots' }), logger)).rejects.toThrow(
      'invalid --memory-limit "lots"',
    );
    const provider = await createSandboxProvider(options([], { CMD_EXECUTOR_PIDS_LIMIT: '32' }), logger);
    const api = new FakeJobApi();
    const job = makeJob({ sandbox: 'NAMESPACE', command: `bash -c 'for i in $(seq 1 60); do sleep 5 & done; wait'` });
    const outcome = await new JobRunner(job, { api, sandbox: provider.select(job), workDir, killGraceMs: 500, logger }).run();
    expect(outcome.kind === 'completed' && outcome.result.error).toBe('process limit 32 exceeded');
  });
});

describe('JobRunner with the namespace sandbox', () => {
  let provider: Awaited<ReturnType<typeof createSandboxProvider>>;
  beforeAll(async () => {
    provider = await createSandboxProvider(options(['--sandbox', 'namespace', '--memory-limit', '256']), logger);
  });

  it('fails a job over its memory limit with an error naming the limit, in the result and the log', async () => {
    const api = new FakeJobApi();
    const job = makeJob({
      command: `node -e "const a=[];setInterval(()=>a.push(Buffer.alloc(8<<20,1)),10)"`,
      limits: { memoryMb: 64 },
    });
    const outcome = await new JobRunner(job, { api, sandbox: provider.select(job), workDir, killGraceMs: 500, logger }).run();
    expect(outcome.kind).toBe('completed');
    expect(outcome.kind === 'completed' && outcome.result).toMatchObject({ error: 'memory limit 64 MiB exceeded', canceled: false });
    expect(api.text('SYSTEM')).toContain('memory limit 64 MiB exceeded');
  });

  it('a job cannot raise the agent’s limit', async () => {
    const api = new FakeJobApi();
    const job = makeJob({
      command: `node -e "const a=[];setInterval(()=>a.push(Buffer.alloc(8<<20,1)),10)"`,
      limits: { memoryMb: 100_000 },
    });
    const outcome = await new JobRunner(job, { api, sandbox: provider.select(job), workDir, killGraceMs: 500, logger }).run();
    expect(outcome.kind === 'completed' && outcome.result.error).toBe('memory limit 256 MiB exceeded');
  });

  it('cancel ends the sandboxed job and everything in it', async () => {
    const api = new FakeJobApi();
    const marker = `cancelme${process.pid}`;
    const job = makeJob({ command: `trap "" TERM; sleep 300 & bash -c "exec -a ${marker} sleep 300"` });
    const runner = new JobRunner(job, { api, sandbox: provider.select(job), workDir, killGraceMs: 500, logger });
    const done = runner.run();
    const psMarked = () => execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(marker));
    for (let i = 0; i < 100 && psMarked().length === 0; i += 1) await new Promise((r) => setTimeout(r, 30));
    expect(psMarked()).toHaveLength(1);
    runner.stop('cancel');
    const outcome = await done;
    expect(outcome.kind === 'completed' && outcome.result.canceled).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(psMarked()).toEqual([]);
  });
});
