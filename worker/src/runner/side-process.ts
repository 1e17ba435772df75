import type { ChildProcess } from 'node:child_process';

/**
 * The agent's side processes (the job guardian, the spawn helper) read orders on stdin and end
 * when it closes; neither may keep the agent's event loop alive on its own.
 */

/** Lets the agent's event loop end with `child` and these of its pipes still open. */
export function unrefSideProcess(child: ChildProcess, pipes: ReadonlyArray<'stdin' | 'stdout'>): void {
  child.unref();
  for (const name of pipes) (child[name] as unknown as { unref?: () => void } | null)?.unref?.();
}

/** Closes `child`'s stdin (its order to end) and resolves once it has exited. */
export async function endSideProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // held again until it is gone: an unreferenced child would let the process exit mid-close
  child.ref();
  child.stdin?.end();
  await exited;
}

/**
 * Orders (lines) to a side process, written together at the end of the current tick: a batch
 * of jobs that start or end in one tick costs the agent one pipe write instead of one each.
 * Each write to a pipe whose reader sleeps wakes that process, and in a burst of short jobs
 * those writes were a sixth of the agent's CPU. The end of the tick is before the agent
 * returns to its event loop: no timer, no I/O in between, so a spawn or a guard order is
 * not delayed behind other work. `stdin` is looked up when writing: a side process restarted
 * meanwhile gets the lines (the guardian's orders are idempotent).
 */
export class TickBatchedOrders {
  private pending = '';
  private scheduled = false;

  constructor(private readonly stdin: () => NodeJS.WritableStream & { destroyed?: boolean } | null | undefined) {}

  send(line: string): void {
    this.pending += `${line}\n`;
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.flush());
  }

  /** Writes what is pending now (also before the side process is told to end). */
  flush(): void {
    this.scheduled = false;
    const text = this.pending;
    this.pending = '';
    const stdin = this.stdin();
    if (!text || !stdin || stdin.destroyed) return; // restarting: the new process gets the whole set
    stdin.write(text);
  }
}
