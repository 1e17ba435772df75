import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../logger';

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
export function createRedisClient(url: string, logger: Logger, role: 'commands' | 'subscriber'): Redis {
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
  watchConnection(r, logger, role);
  return r;
}

/** One line when Redis goes away and one when it is back, not one per reconnect attempt. */
function watchConnection(r: Redis, logger: Logger, role: string): void {
  let wasReady = false;
  let lostAt: number | undefined;
  // ioredis reconnects by itself; without a listener an error event would crash the process.
  r.on('error', (err: Error) => {
    if (lostAt === undefined) logger.debug({ err: err.message, role }, 'redis connection error');
  });
  r.on('ready', () => {
    if (lostAt !== undefined) logger.info({ role, downMs: Date.now() - lostAt }, 'redis connection restored');
    wasReady = true;
    lostAt = undefined;
  });
  r.on('close', () => {
    if (!wasReady || lostAt !== undefined || r.status === 'end') return;
    lostAt = Date.now();
    logger.warn({ role }, 'redis connection lost; requests go on without it, live events resume from the store when it returns');
  });
}
