import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import { EnginePubSub } from './engine-pubsub';
import type { PubSubPort } from './pubsub.port';

/**
 * Across replicas through Redis channels named `<prefix>ps:<topic>`. `subscriber` is put in
 * subscriber mode and owned (closed) here; `publisher` may be shared and is left open.
 */
export function createRedisPubSub(opts: { publisher: Redis; subscriber: Redis; prefix: string }): PubSubPort {
  swallowUnsubscribeRejections(opts.subscriber);
  const engine = new RedisPubSub({
    // graphql-redis-subscriptions types against its own ioredis 5; the client API it uses is the same in 6.
    publisher: opts.publisher as never,
    subscriber: opts.subscriber as never,
  });
  return new EnginePubSub(
    engine,
    (topic) => `${opts.prefix}ps:${topic}`,
    async () => {
      await opts.subscriber.quit().catch(() => opts.subscriber.disconnect());
    },
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
