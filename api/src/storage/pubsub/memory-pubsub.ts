import { PubSub } from 'graphql-subscriptions';
import { EventEmitter } from 'node:events';
import { EnginePubSub } from './engine-pubsub';
import type { PubSubPort } from './pubsub.port';

/** One process only (REDIS_URL unset): events never reach another replica. */
export function createMemoryPubSub(): PubSubPort {
  const ee = new EventEmitter();
  // Many subscribers per topic is normal (every open job page); not a leak.
  ee.setMaxListeners(0);
  return new EnginePubSub(new PubSub({ eventEmitter: ee }), (t) => t, async () => undefined);
}
