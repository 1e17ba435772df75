export type { RateLimitDecision, RateLimiter } from './rate-limiter.port';
export { RedisRateLimiter } from './redis-rate-limiter';
export { MemoryRateLimiter } from './memory-rate-limiter';
export type { LoginAttemptDecision, LoginLockoutStore } from './login-lockout.port';
export { RedisLoginLockout } from './redis-login-lockout';
export { MemoryLoginLockout } from './memory-login-lockout';
