/** Per-username lockout after repeated failed logins (issue 11), in milliseconds. */
export interface LoginLockoutSettings {
  /** Failed attempts allowed within `failureWindowMs`; the next attempt is refused and locks. */
  failuresMax: number;
  failureWindowMs: number;
  /** The first lockout; each further one (before the user signs in or stays quiet) doubles. */
  lockoutMs: number;
  lockoutMaxMs: number;
}

/** The wait of the `level`-th lockout (1-based): lockoutMs, 2×, 4×, … capped at lockoutMaxMs. */
export function lockoutDurationMs(level: number, s: Pick<LoginLockoutSettings, 'lockoutMs' | 'lockoutMaxMs'>): number {
  const doublings = Math.min(Math.max(0, level - 1), 30);
  return Math.min(s.lockoutMs * 2 ** doublings, s.lockoutMaxMs);
}
