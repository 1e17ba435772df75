import { lockoutDurationMs } from './login-lockout.rules';

describe('lockoutDurationMs', () => {
  it('doubles with each lockout up to the cap', () => {
    const s = { lockoutMs: 60_000, lockoutMaxMs: 900_000 };
    expect([1, 2, 3, 4, 5, 6, 100].map((l) => lockoutDurationMs(l, s))).toEqual([60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
  });
});
