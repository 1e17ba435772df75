import { leaseSettings, retryBackoffMs, timeoutDeadline } from './lease';

describe('lease math', () => {
  const s = leaseSettings(15, 5, { retryBackoffBaseMs: 1000, retryBackoffMaxMs: 10_000 });

  it('doubles the retry backoff per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((a) => retryBackoffMs(a, s))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('puts the timeout deadline a grace after timeoutSeconds from the start', () => {
    const started = new Date('2026-01-01T00:00:00Z');
    expect(timeoutDeadline(started, 10, s)?.toISOString()).toBe('2026-01-01T00:00:25.000Z');
    expect(timeoutDeadline(started, undefined, s)).toBeUndefined();
    expect(timeoutDeadline(undefined, 10, s)).toBeUndefined();
  });

  it('sweeps several times per lease, at least every second', () => {
    expect(s.sweepIntervalMs).toBeLessThanOrEqual(s.leaseMs / 3);
    expect(s.sweepIntervalMs).toBeLessThanOrEqual(1000);
  });

  it('derives the other timings from overridden lease and heartbeat', () => {
    const fast = leaseSettings(15, 5, { leaseMs: 1200, heartbeatMs: 300 });
    expect(fast).toMatchObject({ leaseMs: 1200, heartbeatMs: 300, reconnectGraceMs: 600, timeoutGraceMs: 1200, sweepIntervalMs: 300 });
  });

  it('gives a disconnected worker two heartbeats to come back, never more than the lease', () => {
    expect(s.reconnectGraceMs).toBe(10_000);
    expect(leaseSettings(3, 2).reconnectGraceMs).toBe(3000);
  });
});
