import { openSync, writeSync } from 'node:fs';

/**
 * Where one job's slot spends its time, for the throughput bench: with
 * CMD_EXECUTOR_CYCLE_TRACE=<file> set, the API appends one line per step of a job's cycle
 * (`<wall ms, µs precision> api <step> <jobId>/<attempt> <workerId> <batch size>`), and the agent does the
 * same in its own process (worker/src/util/cycle-trace.ts); bench/lib/cycle-trace.js joins them.
 * Unset (always, outside benches), a call is one test of a constant.
 */
const file = process.env.CMD_EXECUTOR_CYCLE_TRACE || undefined;
let fd: number | undefined;

export const cycleTraceOn = file !== undefined;

/** `batch`: how many attempts travelled in the same message or call as this one. */
export function traceCycle(step: string, jobId: unknown, attempt: number, workerId?: unknown, batch = 1): void {
  if (file === undefined) return;
  fd ??= openSync(file, 'a');
  // One small synchronous append: lines from both processes stay whole, and nothing is lost at exit.
  writeSync(fd, `${(performance.timeOrigin + performance.now()).toFixed(3)} api ${step} ${String(jobId)}/${attempt} ${workerId == null ? '-' : String(workerId)} ${batch}\n`);
}
