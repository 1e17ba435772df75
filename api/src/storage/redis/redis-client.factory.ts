import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConnectionWatch } from './connection-watch';

/** How long one Redis command may take before the caller gets an error instead of a wait. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

/**
 * `commands`: rate limits, locks, publishes. During an outage every command fails within about
 * a second instead of queueing behind ioredis's reconnects: no offline queue, one retry, a
 * command timeout. Callers treat Redis as a notifier, never as the record (MongoDB is).
 *
 * `subscriber`: holds the SUBSCRIBEs. It keeps its offline queue so a subscription taken during
 * an outage becomes live when Redis returns (ioredis resubscribes by itself); what was
 * published meanwhile is read back from the store by each subscriber (see PubSubPort.onResume).
 */
export function createRedisClient(url: string, watch: RedisConnectionWatch, role: 'commands' | 'subscriber'): Redis {
  const options: RedisOptions =
    role === 'commands'
      ? { enableOfflineQueue: false, commandTimeout: REDIS_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1, enableAutoPipelining: true }
      : { enableOfflineQueue: true, maxRetriesPerRequest: null };
  const r = new Redis(url, {
    ...options,
    lazyConnect: true,
    connectTimeout: 2000,
    // Reconnect quickly at first, then every 2 s: an outage ends within 2 s of Redis returning.
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  watch.watch(r, role);
  return r;
}
