import { SandboxError } from '../runner/sandbox.types';
import { UidPool } from './uid-pool';

describe('UidPool', () => {
  it('hands out distinct uids and reuses released ones last', () => {
    const pool = new UidPool(5000, 3);
    expect([pool.acquire(), pool.acquire()]).toEqual([5000, 5001]);
    pool.release(5000);
    expect(pool.acquire()).toBe(5002);
    expect(pool.acquire()).toBe(5000);
    expect(() => pool.acquire()).toThrow(SandboxError);
  });
});
