import { openSync, writeSync } from 'node:fs';

/**
 * The agent's half of the throughput bench's cycle trace (see api/src/observability/cycle-trace.ts):
 * with CMD_EXECUTOR_CYCLE_TRACE=<file> set, one line per step of an attempt
 * (`<wall ms> agent:<pid> <step> <jobId>/<attempt>`). Unset, a call is one test of a constant.
 */
const file = process.env.CMD_EXECUTOR_CYCLE_TRACE || undefined;
let fd: number | undefined;

export function traceCycle(step: string, jobId: string, attempt: number): void {
  if (file === undefined) return;
  fd ??= openSync(file, 'a');
  writeSync(fd, `${(performance.timeOrigin + performance.now()).toFixed(3)} agent:${process.pid} ${step} ${jobId}/${attempt}\n`);
}
