import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ExitInfo, SpawnSpec } from './sandbox.types';
import type { SpawnHelper } from './spawn-helper';

/**
 * A process started as the leader of its own process group (`detached: true` → setsid),
 * so signals reach the shell and everything it started — killing only the shell's pid
 * would leave its children running (buildkite's signal_notwindows.go does the same).
 * It is forked by the agent's spawn helper when there is one, else by the agent itself.
 */
export class ProcessGroup {
  readonly exited: Promise<ExitInfo>;
  private exit: ExitInfo | undefined;

  private constructor(
    readonly pid: number,
    readonly stdout: Readable,
    readonly stderr: Readable,
    exited: Promise<ExitInfo>,
  ) {
    this.exited = exited.then((exit) => (this.exit = exit));
  }

  /**
   * Resolves once the process runs; rejects with the spawn error (ENOENT, EACCES, …).
   * `onPid` runs as soon as the pid is known, before anything else can happen in this
   * process (e.g. so the guardian knows the group before the agent could die).
   */
  static async start(spec: SpawnSpec, onPid?: (pid: number) => void, helper?: SpawnHelper): Promise<ProcessGroup> {
    if (helper?.usable) {
      const p = await helper.spawn(spec, onPid);
      return new ProcessGroup(p.pid, p.stdout, p.stderr, p.exited);
    }
    return startForked(spec, onPid);
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /**
   * Signals the whole group. Returns false when no process of the group is left (ESRCH).
   * Safe to call after the leader exited: its pid stays reserved while the group has members.
   */
  signal(sig: NodeJS.Signals): boolean {
    return signalGroup(this.pid, sig);
  }

  /** A child the agent forked itself (no helper); listens for its exit from now on. */
  static forked(child: ChildProcess): ProcessGroup {
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => resolve({ exitCode: code, signal }));
    });
    return new ProcessGroup(child.pid!, child.stdout!, child.stderr!, exited);
  }
}

function startForked(spec: SpawnSpec, onPid?: (pid: number) => void): Promise<ProcessGroup> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      reject(err);
      return;
    }
    if (child.pid !== undefined) onPid?.(child.pid);
    // 'exit' may come before 'spawn' is handled: listen from the start
    const group = child.pid !== undefined ? ProcessGroup.forked(child) : undefined;
    const onError = (err: Error): void => reject(err);
    child.once('error', onError);
    child.once('spawn', () => {
      child.off('error', onError);
      // Later errors (e.g. kill failures) are handled where signals are sent.
      child.on('error', () => undefined);
      resolve(group!);
    });
  });
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
