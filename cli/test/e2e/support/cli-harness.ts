import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../../..');
export const API_MAIN = path.join(REPO, 'api/dist/main.js');
export const CLI = path.join(REPO, 'cli/dist/cmd-executor.js');
export const AGENT = path.join(REPO, 'worker/dist/cli.js');
export const ADMIN_PASSWORD = 'cli-e2e-admin-password';

/** Polls `probe` until it returns a value, or fails after `timeoutMs` naming `what`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function collectOutput(child: ChildProcess) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  return { stdout: () => Buffer.concat(out), stderr: () => Buffer.concat(err) };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * The built API as `npm start` runs it (`node api/dist/main.js`), without its local agent, on the
 * embedded store in `dataDir` and a fixed port, so a restart finds the same jobs at the same address.
 */
export class ApiProcess {
  private child: ChildProcess | undefined;
  private output = '';
  readonly url: string;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [API_MAIN, '--no-local-worker', '--data-dir', this.dataDir], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(this.port), HOST: '127.0.0.1', ADMIN_PASSWORD, LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '2000', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr!.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    await eventually(() => (/GraphQL:\s+http:\/\/\S+\/graphql/.test(this.output) ? true : child.exitCode !== null ? Promise.reject(new Error(this.output)) : undefined), 60_000, 'the API to listen');
  }

  logs(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exitOf(child);
    clearTimeout(t);
  }
}

export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export async function adminLogin(url: string): Promise<string> {
  const r = await graphql<{ login: { token: string } }>(url, 'mutation($p: String!) { login(username: "admin", password: $p) { token } }', { p: ADMIN_PASSWORD });
  return r.login.token;
}

export async function createWorkerToken(url: string, adminToken: string, name: string, labels: string[] = []) {
  const r = await graphql<{ createWorkerToken: { token: string; installCommand: string; workerName: string } }>(
    url,
    'mutation($n: String!, $l: [String!]) { createWorkerToken(name: $n, labels: $l) { token installCommand workerName } }',
    { n: name, l: labels },
    adminToken,
  );
  return r.createWorkerToken;
}

export interface Agent {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A real worker agent process: the built agent, or any file given as `script` (a download). */
export function startAgent(opts: { server: string; token: string; labels?: string[]; name?: string; script?: string; cwd?: string }): Agent {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'cmdx-cli-agent-'));
  const args = [opts.script ?? AGENT, '--server', opts.server, '--concurrency', '4', '--work-dir', workDir, '--kill-grace', '1', '--shutdown-timeout', '2'];
  if (opts.name) args.push('--name', opts.name);
  if (opts.labels?.length) args.push('--labels', opts.labels.join(','));
  const child = spawn(process.execPath, args, {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CMD_EXECUTOR_WORKER_TOKEN: opts.token, CMD_EXECUTOR_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const io = collectOutput(child);
  return {
    child,
    output: () => `${io.stdout().toString()}${io.stderr().toString()}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitOf(child);
        clearTimeout(t);
      }
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

export interface CliRun {
  child: ChildProcess;
  stdout(): Buffer;
  stderr(): Buffer;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The CLI as a user runs it: a real process, its own environment only (plus `env`). */
export function spawnCli(args: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; script?: string; cwd?: string } = {}): CliRun {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir() };
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [opts.script ?? CLI, ...args], { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const io = collectOutput(child);
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  else child.stdin!.end();
  return { child, ...io, exited: exitOf(child) };
}

export async function runCli(args: string[], opts: Parameters<typeof spawnCli>[1] = {}) {
  const run = spawnCli(args, opts);
  const { code, signal } = await run.exited;
  return { code, signal, stdout: run.stdout(), stderr: run.stderr(), out: run.stdout().toString(), err: run.stderr().toString() };
}
