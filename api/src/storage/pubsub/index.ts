export type { LiveIterator, PubSubPort, ResumeEvent } from './pubsub.port';
export { Topics } from './topics';
export { createMemoryPubSub } from './memory-pubsub';
export { createRedisPubSub } from './redis-pubsub';
export { readyWithin } from './ready-within';
