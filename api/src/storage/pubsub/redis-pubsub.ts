import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger';
import { EnginePubSub } from './engine-pubsub';
import type { PubSubPort } from './pubsub.port';
import { ResumeSignal } from './resume-signal';

/**
 * Across replicas through Redis channels named `<prefix>ps:<topic>`. `subscriber` is put in
 * subscriber mode and owned (closed) here; `publisher` may be shared and is left open.
 */
export function createRedisPubSub(opts: { publisher: Redis; subscriber: Redis; prefix: string; logger: Logger }): PubSubPort {
  swallowUnsubscribeRejections(opts.subscriber);
  const engine = new RedisPubSub({
    // graphql-redis-subscriptions types against its own ioredis 5; the client API it uses is the same in 6.
    publisher: opts.publisher as never,
    subscriber: opts.subscriber as never,
  });
  const resume = new ResumeSignal();
  // ioredis resubscribes on its own once the subscriber is ready again; whatever was published
  // while it was away is gone from Redis, so every subscriber is told to read the store.
  let lostAt: Date | undefined;
  opts.subscriber.on('close', () => (lostAt ??= new Date()));
  opts.subscriber.on('ready', () => {
    if (!lostAt) return;
    const since = lostAt;
    lostAt = undefined;
    // ioredis writes its resubscribes on ready; a PING answered after them means they are in
    // effect, so a store read from then on leaves no gap before the live events.
    opts.subscriber.ping().then(
      () => resume.fire({ since }),
      () => resume.fire({ since }),
    );
  });
  return new EnginePubSub(
    engine,
    (topic) => `${opts.prefix}ps:${topic}`,
    async () => {
      // QUIT would sit in the offline queue while Redis is away: then just drop the connection.
      if (opts.subscriber.status !== 'ready') opts.subscriber.disconnect();
      else await opts.subscriber.quit().catch(() => opts.subscriber.disconnect());
    },
    undefined,
    resume,
    dropNoisily(opts.logger),
  );
}

/**
 * RedisPubSub.unsubscribe() fires UNSUBSCRIBE and PUNSUBSCRIBE without awaiting them; when the
 * connection closes first (shutdown) they reject unhandled. Nothing is left to clean up then.
 */
function swallowUnsubscribeRejections(subscriber: Redis): void {
  for (const method of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[method].bind(subscriber) as (...args: unknown[]) => Promise<unknown>;
    (subscriber as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const p = original(...args);
      p.catch(() => undefined);
      return p;
    };
  }
}

/** At most one warning a second however many publishes fail during an outage. */
function dropNoisily(logger: Logger): (err: unknown, topic: string) => void {
  let last = 0;
  let dropped = 0;
  return (err, topic) => {
    dropped += 1;
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    logger.warn({ err: (err as Error).message, topic, dropped }, 'redis publish failed; subscribers will read the store');
    dropped = 0;
  };
}
