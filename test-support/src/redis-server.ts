import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A `redis-server` of the test's own, for tests that take Redis away (the shared one on 6379
 * must stay up for everyone else): a free port, no persistence, a temporary directory. `kill()`
 * is an outage as abrupt as a crash; `start()` brings it back on the same port, empty.
 */
export class OwnRedisServer {
  private proc?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts one and resolves once it accepts connections. */
  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort(), mkdtempSync(path.join(os.tmpdir(), 'own-redis-')));
    try {
      await server.start();
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts it on its port; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.proc) throw new Error('redis-server is already running');
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    this.proc = proc;
    let failed: Error | undefined;
    proc.once('error', (err) => (failed = err)); // e.g. no redis-server on PATH
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (failed) throw new Error(`redis-server could not start: ${failed.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`redis-server on ${this.port} exited (${proc.exitCode ?? proc.signalCode})`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not listen within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL, and resolves once it is gone (its port free for `start()`). */
  async kill(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await gone;
  }

  /** Kills it and removes its directory. */
  async close(): Promise<void> {
    try {
      await this.kill();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}
