export type { RateLimitDecision, RateLimiter } from './rate-limiter.port';
export { RedisRateLimiter } from './redis-rate-limiter';
export { MemoryRateLimiter } from './memory-rate-limiter';
