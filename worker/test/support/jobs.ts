import { readFileSync } from 'node:fs';
import type { RunnableJob } from '../../src/runner/sandbox.types';

let n = 0;

export function makeJob(over: Partial<RunnableJob> = {}): RunnableJob {
  n += 1;
  return {
    jobId: `job${process.pid}x${n}`,
    attempt: 1,
    command: 'true',
    args: null,
    env: [],
    cwd: null,
    timeoutSeconds: null,
    sandbox: null,
    image: null,
    limits: null,
    ...over,
  };
}

/**
 * True while the process exists and is not a zombie (an orphan killed with its group is
 * reaped by init whenever init gets to it; until then kill(pid, 0) still succeeds).
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
