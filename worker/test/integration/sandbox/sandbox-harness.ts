/**
 * Runs a job through a real sandbox the way the runner does: wrap, spawn the wrapped spec in
 * its own process group, collect output, classifyExit, cleanup.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { JobLimits, RunnableJob, Sandbox, SpawnSpec, WrappedSpawn } from '../../../src/runner/sandbox.types';

export const silentLogger = pino({ level: 'silent' });

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  error: string | undefined;
  ms: number;
  /** the wrapped spec, for assertions on what was spawned */
  wrapped: WrappedSpawn;
}

let seq = 0;

export function makeJob(command: string, opts: { limits?: JobLimits; env?: Record<string, string> } = {}): RunnableJob {
  seq += 1;
  return {
    jobId: `job${process.pid}x${seq}`,
    attempt: 1,
    command,
    args: null,
    env: Object.entries(opts.env ?? {}).map(([name, value]) => ({ name, value, secret: false })),
    cwd: null,
    timeoutSeconds: null,
    sandbox: 'NAMESPACE',
    image: null,
    limits: opts.limits ?? null,
  };
}

/** A fresh per-job directory under /tmp (world-searchable, as the uid switch needs). */
export async function makeJobDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cmdx-sbx-test-'));
}

export async function runInSandbox(
  sandbox: Sandbox,
  job: RunnableJob,
  jobDir: string,
  opts: {
    timeoutMs?: number;
    onSpawn?: (pid: number, wrapped: WrappedSpawn) => void;
    /** after each piece of stdout, with all of it so far */
    onStdout?: (stdout: string, wrapped: WrappedSpawn) => void;
  } = {},
): Promise<RunResult> {
  const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: jobDir };
  for (const v of job.env) env[v.name] = v.value;
  const spec: SpawnSpec = { file: '/bin/sh', args: ['-c', job.command], env, cwd: jobDir };
  const wrapped = await sandbox.wrap(spec, job, { jobDir, key: `${job.jobId}/${job.attempt}`, logger: silentLogger });
  const started = Date.now();
  try {
    const child = spawn(wrapped.spec.file, wrapped.spec.args, {
      env: wrapped.spec.env,
      cwd: wrapped.spec.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) opts.onSpawn?.(child.pid, wrapped);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout, wrapped);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: string | null }>((resolve, reject) => {
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
        reject(new Error(`sandboxed job did not finish in ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        resolve({ exitCode: code, signal: sig });
      });
    });
    const error = await wrapped.classifyExit?.({ exitCode, signal });
    return { exitCode, signal, stdout, stderr, error, ms: Date.now() - started, wrapped };
  } finally {
    await wrapped.cleanup?.();
  }
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
