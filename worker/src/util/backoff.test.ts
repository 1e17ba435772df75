import { backoffDelay, sleep } from './backoff';

describe('backoffDelay', () => {
  const opts = { baseMs: 100, maxMs: 2_000 };

  it('doubles per attempt between half and the full exponential delay', () => {
    expect(backoffDelay(0, { ...opts, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...opts, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(400);
    expect(backoffDelay(3, { ...opts, random: () => 1 })).toBe(800);
  });

  it('is capped at maxMs, also for huge attempt numbers', () => {
    expect(backoffDelay(10, { ...opts, random: () => 1 })).toBe(2_000);
    expect(backoffDelay(10_000, { ...opts, random: () => 0.5 })).toBe(1_500);
  });

  it('spreads delays with the default random source', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, opts)));
    expect(seen.size).toBeGreaterThan(5);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1_600);
    }
  });
});

describe('sleep', () => {
  it('resolves early when aborted', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await p;
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
