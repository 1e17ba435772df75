import type { LiveIterator } from './pubsub.port';

/**
 * Waits until `live` is subscribed, or `ms` at most: subscribed during an outage, a channel goes
 * live only when Redis returns, and the caller serves what the store has meanwhile (it reads the
 * store again on PubSubPort.onResume, which fires once the channel is live). True when it is live.
 */
export async function readyWithin(live: LiveIterator<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([live.ready.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
