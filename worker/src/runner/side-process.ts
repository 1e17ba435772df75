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
