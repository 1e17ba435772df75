/**
 * Lease, retry and timeout arithmetic: pure, in milliseconds, `now` always passed in.
 */

export interface LeaseSettings {
  /** How long an assignment stays valid without a heartbeat. */
  leaseMs: number;
  /** How often workers heartbeat (told to them at registration). */
  heartbeatMs: number;
  /** First retry delay after a lost lease; doubles per attempt up to retryBackoffMaxMs. */
  retryBackoffBaseMs: number;
  retryBackoffMaxMs: number;
  /** Slack past timeoutSeconds before the sweeper ends a job the worker did not stop itself. */
  timeoutGraceMs: number;
  /** How often the sweeper runs. */
  sweepIntervalMs: number;
  /**
   * A worker whose socket closed keeps its leases this long at most (not a full lease): time to
   * reconnect after a network blip, while a dead worker's jobs come back sooner.
   */
  reconnectGraceMs: number;
  /** Lost attempts (worker lost, agent shut down, lease lapsed) retried per job without using up maxAttempts. */
  lostAttemptRetries: number;
}

/** From the configured seconds; the derived timings follow `overrides.leaseMs`/`heartbeatMs` when given. */
export function leaseSettings(leaseSeconds: number, heartbeatSeconds: number, overrides: Partial<LeaseSettings> = {}): LeaseSettings {
  const leaseMs = overrides.leaseMs ?? Math.round(leaseSeconds * 1000);
  const heartbeatMs = overrides.heartbeatMs ?? Math.round(heartbeatSeconds * 1000);
  return {
    leaseMs,
    heartbeatMs,
    retryBackoffBaseMs: 1000,
    retryBackoffMaxMs: 60_000,
    // The worker stops a timed-out job itself (SIGTERM, grace, SIGKILL, flush logs) before
    // reporting; a lease's length covers that, and only a worker that did not gets swept.
    timeoutGraceMs: leaseMs,
    // Often enough that a lapsed lease is noticed within a fraction of its length (the pass is
    // a few indexed queries, on one replica).
    sweepIntervalMs: Math.max(50, Math.min(1000, heartbeatMs, Math.round(leaseMs / 3))),
    reconnectGraceMs: Math.min(leaseMs, 2 * heartbeatMs),
    lostAttemptRetries: 2,
    ...overrides,
  };
}

export function leaseExpiry(now: Date, settings: Pick<LeaseSettings, 'leaseMs'>): Date {
  return new Date(now.getTime() + settings.leaseMs);
}

/** Delay before retrying after attempt `failedAttempt` (1-based) lost its worker. */
export function retryBackoffMs(failedAttempt: number, settings: Pick<LeaseSettings, 'retryBackoffBaseMs' | 'retryBackoffMaxMs'>): number {
  const exp = Math.min(Math.max(failedAttempt - 1, 0), 30);
  return Math.min(settings.retryBackoffMaxMs, settings.retryBackoffBaseMs * 2 ** exp);
}

/** When a running job is overdue for the sweeper (undefined: no timeout). */
export function timeoutDeadline(startedAt: Date | undefined | null, timeoutSeconds: number | undefined | null, settings: Pick<LeaseSettings, 'timeoutGraceMs'>): Date | undefined {
  if (!startedAt || !timeoutSeconds) return undefined;
  return new Date(new Date(startedAt).getTime() + timeoutSeconds * 1000 + settings.timeoutGraceMs);
}

/** Workers whose last heartbeat is older than this are OFFLINE. */
export function silentSince(now: Date, settings: Pick<LeaseSettings, 'leaseMs'>): Date {
  return new Date(now.getTime() - settings.leaseMs);
}

/** The sweeper lock outlives a few missed renewals but not a dead replica for long. */
export function sweeperLockTtlMs(settings: Pick<LeaseSettings, 'sweepIntervalMs'>): number {
  return Math.max(1000, settings.sweepIntervalMs * 4);
}
