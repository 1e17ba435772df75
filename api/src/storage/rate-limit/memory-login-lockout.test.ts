import { MemoryLoginLockout } from './memory-login-lockout';

const S = { failuresMax: 5, failureWindowMs: 900_000, lockoutMs: 60_000, lockoutMaxMs: 150_000 };

describe('MemoryLoginLockout', () => {
  it('locks past the limit, allows one attempt after each lock, doubles up to the cap, forgets on reset', async () => {
    let now = 0;
    const store = new MemoryLoginLockout(() => now);
    for (let i = 0; i < 5; i += 1) expect(await store.attempt('u', S)).toEqual({ allowed: true });
    expect(await store.attempt('u', S)).toEqual({ allowed: false, retryAfterMs: 60_000, lockedNow: true });
    now += 59_000;
    expect(await store.attempt('u', S)).toEqual({ allowed: false, retryAfterMs: 1_000, lockedNow: false });
    expect(await store.attempt('other', S)).toEqual({ allowed: true });
    now += 1_000;
    expect(await store.attempt('u', S)).toEqual({ allowed: true });
    expect(await store.attempt('u', S)).toEqual({ allowed: false, retryAfterMs: 120_000, lockedNow: true });
    now += 120_000;
    expect(await store.attempt('u', S)).toEqual({ allowed: true });
    expect(await store.attempt('u', S)).toEqual({ allowed: false, retryAfterMs: 150_000, lockedNow: true });
    now += 150_000;
    await store.reset('u');
    for (let i = 0; i < 5; i += 1) expect(await store.attempt('u', S)).toEqual({ allowed: true });
    await store.close();
  });

  it('forgets failures once the window has passed without a lock', async () => {
    let now = 0;
    const store = new MemoryLoginLockout(() => now);
    for (let i = 0; i < 5; i += 1) await store.attempt('u', S);
    now += 900_000;
    expect(await store.attempt('u', S)).toEqual({ allowed: true });
    await store.close();
  });
});
