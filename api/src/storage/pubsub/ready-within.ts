import type { LiveIterator } from './pubsub.port';

/**
 * Waits until `live` is subscribed, or `ms` at most: subscribed during an outage, a channel goes
 * live only when Redis returns, and the caller serves what the store has meanwhile (it reads the
 * store again on PubSubPort.onResume, which fires once the channel is live).
 */
export async function readyWithin(live: LiveIterator<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([live.ready, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
