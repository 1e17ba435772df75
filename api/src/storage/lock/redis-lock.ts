import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LockPort } from './lock.port';

// KEYS[1] lock key; ARGV[1] owner token. Deletes only when we still own it, so a holder whose
// lock expired and was taken by another replica cannot release the new owner's lock.
const RELEASE_1 = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// KEYS[1] lock key; ARGV[1] owner token; ARGV[2] ttl ms. Extends only our own lock.
const RENEW_1 = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/** `SET key token NX PX ttl`; renew and release compare the token in Lua (atomic). */
export class RedisLock implements LockPort {
  /** `prefix` isolates deployments and test runs sharing one Redis. */
  constructor(private readonly redis: Redis, private readonly prefix = '') {}

  async tryAcquire(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.prefix + key, token, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? token : null;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const n = await this.redis.eval(RENEW_1, 1, this.prefix + key, token, String(ttlMs));
    return Number(n) === 1;
  }

  async release(key: string, token: string): Promise<boolean> {
    const n = await this.redis.eval(RELEASE_1, 1, this.prefix + key, token);
    return Number(n) === 1;
  }
}
