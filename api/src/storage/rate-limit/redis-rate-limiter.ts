import type { Redis } from 'ioredis';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.port';

/**
 * Input: KEYS[1] the counter; ARGV[1] window in ms.
 * Output: { count after this hit, ms until the window resets }.
 * INCR and PEXPIRE in one script: one round trip, and no counter is ever left without expiry.
 */
const FIXED_WINDOW_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { n, ttl }
`;

type WithFixedWindow = Redis & { fixedWindowHit(key: string, windowMs: number): Promise<[number, number]> };

/** Shared by every replica on the same Redis, keys `<prefix>rl:<key>`. The client is not owned. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithFixedWindow;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('fixedWindowHit' in redis)) redis.defineCommand('fixedWindowHit', { numberOfKeys: 1, lua: FIXED_WINDOW_LUA });
    this.redis = redis as WithFixedWindow;
  }

  async hit(key: string, max: number, windowMs: number): Promise<RateLimitDecision> {
    const [count, ttl] = await this.redis.fixedWindowHit(`${this.prefix}rl:${key}`, windowMs);
    return { allowed: count <= max, count, resetInMs: Math.max(0, ttl) };
  }

  async close(): Promise<void> {}
}
