import { spawn, type ChildProcess } from 'node:child_process';
import type { ExitInfo, SpawnSpec } from './sandbox.types';

/**
 * A process started as the leader of its own process group (`detached: true` → setsid),
 * so signals reach the shell and everything it started — killing only the shell's pid
 * would leave its children running (buildkite's signal_notwindows.go does the same).
 */
export class ProcessGroup {
  readonly exited: Promise<ExitInfo>;
  private exit: ExitInfo | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly pid: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { exitCode: code, signal };
        resolve(this.exit);
      });
    });
  }

  /**
   * Resolves once the process runs; rejects with the spawn error (ENOENT, EACCES, …).
   * `onPid` runs synchronously right after the fork, before anything else can happen in this
   * process (e.g. so the guardian knows the group before the agent could die).
   */
  static start(spec: SpawnSpec, onPid?: (pid: number) => void): Promise<ProcessGroup> {
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
      const onError = (err: Error): void => reject(err);
      child.once('error', onError);
      child.once('spawn', () => {
        child.off('error', onError);
        // Later errors (e.g. kill failures) are handled where signals are sent.
        child.on('error', () => undefined);
        resolve(new ProcessGroup(child, child.pid!));
      });
    });
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
