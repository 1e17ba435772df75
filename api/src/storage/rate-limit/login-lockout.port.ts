import type { LoginLockoutSettings } from '../../domain/login-lockout.rules';

export type LoginAttemptDecision = { allowed: true } | { allowed: false; retryAfterMs: number; /** this attempt started a lockout */ lockedNow: boolean };

/**
 * Failed-login bookkeeping per key (a hashed username). Every attempt is charged before the
 * password is checked, so a burst of parallel guesses cannot all slip in before the first
 * failure is counted; a success calls `reset`, which also forgives the charge.
 *
 * State per key: a failure counter (window opens at its first attempt), a lockout level and a
 * lock. An attempt while locked is refused without being counted. An attempt past
 * `failuresMax` locks for `lockoutDurationMs(level)`, and the counter is kept for the lock plus
 * a window, so the first failure after a lock ends locks again at the next (doubled) level.
 */
export interface LoginLockoutStore {
  attempt(key: string, settings: LoginLockoutSettings): Promise<LoginAttemptDecision>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}
