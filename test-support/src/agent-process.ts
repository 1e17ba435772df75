import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The worker package's build, found through its workspace link (`npm run build` makes it).
const CLI = path.join(path.dirname(require.resolve('@cmd-executor/worker/package.json')), 'dist/cli.js');

/** A real worker agent process (the built CLI), its output kept for failure messages. */
export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait (graceful), or SIGKILL when `hard`. */
  stop(hard?: boolean): Promise<void>;
}

export function agentCliBuilt(): boolean {
  return existsSync(CLI);
}

/** `name` unset: the agent registers under its token's name (the server adds -2, -3… when taken). */
export function startAgentProcess(opts: { server: string; token: string; name?: string; concurrency?: number; labels?: string[] }): AgentProcess {
  if (!agentCliBuilt()) throw new Error(`${CLI} is missing: build the worker first (npm run build)`);
  const workDir = mkdtempSync(path.join(os.tmpdir(), `cmdx-agent-${opts.name ?? 'unnamed'}-`));
  const child = spawn(
    process.execPath,
    [CLI, '--server', opts.server, ...(opts.name ? ['--name', opts.name] : []), '--concurrency', String(opts.concurrency ?? 1), '--work-dir', workDir, '--kill-grace', '1', '--shutdown-timeout', '2', ...(opts.labels?.length ? ['--labels', opts.labels.join(',')] : [])],
    { env: { ...process.env, CMD_EXECUTOR_WORKER_TOKEN: opts.token, CMD_EXECUTOR_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    async stop(hard = false) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(hard ? 'SIGKILL' : 'SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
