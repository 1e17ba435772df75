/**
 * Polling for conditions a test cannot await directly (a job reaching a state, a process
 * leaving). Both give up with an error naming what they waited for, and leave no timer behind.
 */

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a poll waited for; a function is asked when time runs out (it can name the last state seen). */
export type Waited = string | (() => string);

const describe = (what: Waited): string => (typeof what === 'function' ? what() : what);

/**
 * Resolves with the first value `check` returns that is not undefined; a throw counts as "not
 * yet" (the last one is quoted when time runs out). Fails after `timeoutMs`.
 */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
  what: Waited = 'condition',
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe(what)}${last ? `: ${String(last)}` : ''}`);
    await pause(intervalMs);
  }
}

/** Resolves once `condition` holds (checked every `intervalMs`); fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000, what: Waited = 'condition', intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${describe(what)} not met in ${timeoutMs} ms`);
    await pause(intervalMs);
  }
}
