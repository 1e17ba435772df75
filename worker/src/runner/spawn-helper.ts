import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { errorMessage } from '../errors';
import { signalGroup } from './process-group';
import type { ExitInfo, SpawnSpec } from './sandbox.types';
import { SPAWN_HELPER_SCRIPT } from './spawn-helper.script';
import { endSideProcess, TickBatchedOrders, unrefSideProcess } from './side-process';

/** A job process started by the helper: the agent's own read ends of its output pipes. */
export interface HelperProcess {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<ExitInfo>;
}

export interface SpawnHelperOptions {
  logger: Logger;
  /** the Python 3 interpreter (default `python3` on the agent's PATH) */
  pythonPath?: string;
}

interface Pending {
  resolve(p: HelperProcess): void;
  reject(err: Error): void;
  onPid?: (pid: number) => void;
  file: string;
}

interface Running {
  pid: number;
  resolveExit(exit: ExitInfo): void;
}

type HelperMessage =
  | { t: 'ready'; probe: number }
  | { t: 'spawned'; id: number; pid: number; out: number; err: number }
  | { t: 'failed'; id: number; code: string; message: string }
  | { t: 'exit'; id: number; code?: number; signal?: string };

/**
 * Starts job processes for the agent from a small Python process, so the agent never forks.
 *
 * Why: Node forks its whole process for each spawn (libuv uses fork, not vfork), which blocks
 * the agent's event loop for as long as copying a ~70 MB process's page tables takes: 5–8 ms
 * per job on a VM, about half of the agent's work at 8 slots, and meanwhile no assignment is
 * read and no report sent. The helper uses posix_spawn (vfork: nothing is copied) on its own
 * event loop, on another core. Output pipes come back without a copy (see the script), so
 * the agent reads a job's output exactly as from a child of its own.
 *
 * Where it cannot run (no python3, no /proc) the agent forks jobs itself, as before; if it
 * dies, the jobs it was running are killed and reported as such, and later jobs are forked by
 * the agent.
 */
export class SpawnHelper {
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, Running>();
  private nextId = 1;
  private buffered = '';
  private dead = false;
  private closing = false;
  private onReady: ((probe: number) => void) | undefined;
  private ready = false;
  private readonly orders = new TickBatchedOrders(() => this.child.stdin);

  private constructor(
    private readonly child: ChildProcess,
    private readonly log: Logger,
  ) {}

  /** Starts the helper; undefined (with the reason logged) when it cannot be used here. */
  static async start(options: SpawnHelperOptions): Promise<SpawnHelper | undefined> {
    const python = options.pythonPath ?? 'python3';
    const child = spawn(python, ['-c', SPAWN_HELPER_SCRIPT, 'cmd-executor-spawn-helper'], {
      detached: true, // its own session: a Ctrl-C to the agent's group must not reach it first
      stdio: ['pipe', 'pipe', 'inherit'],
      // nothing of the agent's (its token) but what finds python3 (HOME for version managers)
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.HOME ? { HOME: process.env.HOME } : {}), PYTHONDONTWRITEBYTECODE: '1', PYTHONSAFEPATH: '1' },
    });
    const helper = new SpawnHelper(child, options.logger);
    const fallback = (why: string): undefined => {
      options.logger.info({ reason: why }, 'no spawn helper; the agent forks job processes itself');
      helper.closing = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return undefined;
    };
    try {
      const probe = await helper.started();
      // The helper's pipes must be reachable through /proc (not so under some hardening).
      closeSync(openSync(`/proc/${child.pid}/fd/${probe}`, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK));
      helper.send({ t: 'opened', id: 'probe' });
    } catch (err) {
      return fallback(errorMessage(err));
    }
    // It must not keep the agent's event loop alive; close() ends it explicitly.
    unrefSideProcess(child, ['stdin', 'stdout']);
    return helper;
  }

  /** pid of the helper process (tests, diagnostics) */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** false once the helper died: the agent forks jobs itself from then on */
  get usable(): boolean {
    return !this.dead && !this.closing;
  }

  /**
   * Starts `spec` in a process group of its own. `onPid` runs as soon as the pid is known.
   * Rejects as Node's spawn does (`spawn <file> ENOENT`, with `code`).
   */
  spawn(spec: SpawnSpec, onPid?: (pid: number) => void): Promise<HelperProcess> {
    if (!this.usable) return Promise.reject(new Error('the spawn helper is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onPid, file: spec.file });
      this.holdLoop();
      this.send({ t: 'spawn', id, file: spec.file, args: spec.args, env: spec.env, cwd: spec.cwd });
    });
  }

  /** Ends the helper; a job still running would be killed by it (normally none is). */
  async close(): Promise<void> {
    this.closing = true;
    this.orders.flush();
    await endSideProcess(this.child);
  }

  private started(): Promise<number> {
    const child = this.child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => this.onData(text));
    child.stdin!.on('error', () => undefined); // EPIPE after it died: the exit handler deals with it
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the spawn helper did not start within 5 s')), 5_000);
      this.onReady = (probe) => {
        this.ready = true;
        clearTimeout(timer);
        resolve(probe);
      };
      child.once('error', (err) => {
        clearTimeout(timer);
        this.dead = true;
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the spawn helper exited (${signal ?? `code ${code}`})`));
        this.onHelperExit(code, signal);
      });
    });
  }

  private send(msg: object): void {
    // the spawns of one tick in one pipe write, at its end
    this.orders.send(JSON.stringify(msg));
  }

  private onData(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line) this.onMessage(JSON.parse(line) as HelperMessage);
    }
  }

  private onMessage(msg: HelperMessage): void {
    switch (msg.t) {
      case 'ready':
        this.onReady?.(msg.probe);
        return;
      case 'failed': {
        const p = this.take(msg.id);
        if (!p) return;
        const err = new Error(`spawn ${p.file} ${msg.code}`) as NodeJS.ErrnoException;
        err.code = msg.code;
        p.reject(err);
        return;
      }
      case 'spawned': {
        const p = this.take(msg.id);
        if (!p) return;
        p.onPid?.(msg.pid);
        let stdout: Readable;
        let stderr: Readable;
        let opened: Readable | undefined;
        try {
          stdout = opened = this.openPipe(msg.out);
          stderr = this.openPipe(msg.err);
        } catch (err) {
          opened?.destroy();
          // never reached after the start-up probe passed; the process must not run unread
          killGroup(msg.pid);
          p.reject(new Error(`could not open the job's output: ${errorMessage(err)}`));
          return;
        } finally {
          this.send({ t: 'opened', id: msg.id });
        }
        const exited = new Promise<ExitInfo>((resolveExit) => this.running.set(msg.id, { pid: msg.pid, resolveExit }));
        this.holdLoop();
        p.resolve({ pid: msg.pid, stdout, stderr, exited });
        return;
      }
      case 'exit': {
        const r = this.running.get(msg.id);
        if (!r) return;
        this.running.delete(msg.id);
        this.holdLoop();
        r.resolveExit({ exitCode: msg.code ?? null, signal: msg.signal ?? null });
        return;
      }
      default:
        return;
    }
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    this.holdLoop();
    return p;
  }

  /** While a job is starting or running, its exit report must keep the agent's loop alive. */
  private holdLoop(): void {
    const stdout = this.child.stdout as unknown as { ref?: () => void; unref?: () => void };
    if (this.pending.size + this.running.size > 0) stdout.ref?.();
    else stdout.unref?.();
  }

  private openPipe(fd: number): Readable {
    const own = openSync(`/proc/${this.child.pid}/fd/${fd}`, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    return new Socket({ fd: own, readable: true, writable: false });
  }

  private onHelperExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.dead = true;
    if (this.ready && !this.closing) this.log.error({ code, signal }, 'the spawn helper died; the agent forks job processes itself from now on');
    for (const p of this.pending.values()) p.reject(new Error('the spawn helper died while starting the job'));
    this.pending.clear();
    // Their exit status is gone with it: they are stopped and reported as killed.
    for (const r of this.running.values()) {
      killGroup(r.pid);
      r.resolveExit({ exitCode: null, signal: 'SIGKILL' });
    }
    this.running.clear();
  }
}

function killGroup(pgid: number): void {
  try {
    signalGroup(pgid, 'SIGKILL');
  } catch {
    // not ours to signal any more: nothing else to do for it here
  }
}
