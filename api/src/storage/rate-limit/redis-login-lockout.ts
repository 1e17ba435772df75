import type { Redis } from 'ioredis';
import type { LoginLockoutSettings } from '../../domain/login-lockout.rules';
import type { LoginAttemptDecision, LoginLockoutStore } from './login-lockout.port';

/**
 * Input: KEYS[1] failure counter, KEYS[2] lockout level, KEYS[3] lock;
 *        ARGV[1] failuresMax, ARGV[2] failureWindowMs, ARGV[3] lockoutMs, ARGV[4] lockoutMaxMs.
 * Output: { 1, 0, 0 } allowed | { 0, ms left, 0 } locked already | { 0, lock ms, 1 } locked now.
 * One script: parallel attempts on several replicas are counted one at a time. The doubling is
 * lockoutDurationMs() in domain/login-lockout.rules.ts; expiries keep every key bounded.
 */
const LOGIN_ATTEMPT_LUA = `
local left = redis.call('PTTL', KEYS[3])
if left > 0 then return { 0, left, 0 } end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n <= tonumber(ARGV[1]) then return { 1, 0, 0 } end
local level = redis.call('INCR', KEYS[2])
local doublings = math.min(math.max(level - 1, 0), 30)
local lockMs = math.min(tonumber(ARGV[3]) * (2 ^ doublings), tonumber(ARGV[4]))
redis.call('SET', KEYS[3], '1', 'PX', lockMs)
local keep = lockMs + tonumber(ARGV[2])
redis.call('SET', KEYS[1], tonumber(ARGV[1]) - 1, 'PX', keep)
redis.call('PEXPIRE', KEYS[2], keep)
return { 0, lockMs, 1 }
`;

type WithLoginAttempt = Redis & { loginAttempt(fails: string, level: string, lock: string, max: number, windowMs: number, lockoutMs: number, lockoutMaxMs: number): Promise<[number, number, number]> };

/** Shared by every replica on the same Redis, keys `<prefix>login:u:<key>:{f,l,lock}`. The client is not owned. */
export class RedisLoginLockout implements LoginLockoutStore {
  private readonly redis: WithLoginAttempt;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('loginAttempt' in redis)) redis.defineCommand('loginAttempt', { numberOfKeys: 3, lua: LOGIN_ATTEMPT_LUA });
    this.redis = redis as WithLoginAttempt;
  }

  private keys(key: string): [string, string, string] {
    const base = `${this.prefix}login:u:${key}`;
    return [`${base}:f`, `${base}:l`, `${base}:lock`];
  }

  async attempt(key: string, s: LoginLockoutSettings): Promise<LoginAttemptDecision> {
    const [allowed, ms, lockedNow] = await this.redis.loginAttempt(...this.keys(key), s.failuresMax, s.failureWindowMs, s.lockoutMs, s.lockoutMaxMs);
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Math.max(1, ms), lockedNow: lockedNow === 1 };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(...this.keys(key));
  }

  async close(): Promise<void> {}
}
