import { jobProgress } from '../../domain/job-progress';
import type { JobPayload } from '../../services/job-events';
import { PushIterator } from '../../services/push-iterator';
import { OrderedFeed } from './ordered-feed';

/**
 * One job's states: `first`, then live changes, and the stored state again whenever live delivery
 * may have missed some (`onResume`: Redis came back). A state is sent only when it is further
 * along than the last one sent (domain/job-progress.ts), so a re-read adds no duplicate (a lease
 * renewal moves `updatedAt`, not the state) and a late live event cannot take the client back.
 */
export function jobStateStream(
  first: JobPayload,
  live: AsyncIterableIterator<JobPayload>,
  onResume: (listener: () => void) => () => void,
  readStored: () => Promise<JobPayload | undefined>,
): AsyncIterableIterator<JobPayload> {
  const out = new PushIterator<JobPayload>();
  let last: JobPayload | undefined;
  const offer = async (state: JobPayload): Promise<void> => {
    if (last && progressOf(state) <= progressOf(last)) return;
    last = state;
    await out.push(state);
  };
  // Re-reads one after another, and after whatever live event is being offered.
  const feed = new OrderedFeed(out, offer(first));
  out.onClose(onResume(() => feed.enqueue(async () => {
    const stored = await readStored();
    if (stored) await offer(stored);
  })));
  feed.follow(live, offer);
  return out;
}

function progressOf(job: JobPayload): number {
  return jobProgress(job as JobPayload & { attempt: number; status: string });
}
