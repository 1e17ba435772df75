import type { Redis } from 'ioredis';
import type { LockPort } from './lock.port';
import { MemoryLock } from './memory-lock';
import { RedisLock } from './redis-lock';

export type { LockPort } from './lock.port';
export { MemoryLock } from './memory-lock';
export { RedisLock } from './redis-lock';

/** Redis when configured (several replicas), else in-process (one replica). */
export function createLock(redis: Redis | undefined, prefix = ''): LockPort {
  return redis ? new RedisLock(redis, prefix) : new MemoryLock();
}
