import { MemoryRateLimiter } from './memory-rate-limiter';

describe('MemoryRateLimiter', () => {
  it('allows max hits per window from the first hit, then resets', async () => {
    let now = 1000;
    const rl = new MemoryRateLimiter(() => now);
    for (let i = 1; i <= 3; i += 1) expect((await rl.hit('k', 3, 500)).allowed).toBe(true);
    const over = await rl.hit('k', 3, 500);
    expect(over).toEqual({ allowed: false, count: 4, resetInMs: 500 });
    now += 499;
    expect((await rl.hit('k', 3, 500)).allowed).toBe(false);
    expect((await rl.hit('other', 3, 500)).allowed).toBe(true);
    now += 1;
    expect(await rl.hit('k', 3, 500)).toEqual({ allowed: true, count: 1, resetInMs: 500 });
    await rl.close();
  });
});
