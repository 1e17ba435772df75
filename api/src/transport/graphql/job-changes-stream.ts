import { jobProgress } from '../../domain/job-progress';
import type { JobPayload } from '../../services/job-events';
import { PushIterator } from '../../services/push-iterator';
import type { ResumeEvent } from '../../storage/pubsub';
import { OrderedFeed } from './ordered-feed';

/** How far before a loss a catch-up reads: replicas stamp `updatedAt` with their own clocks. */
export const CATCH_UP_MARGIN_MS = 5_000;
/** Catch-ups of one stream start at most this often (during an outage every failed publish asks for one). */
const CATCH_UP_MIN_GAP_MS = 200;
const CATCH_UP_PAGE = 200;
/** Jobs whose last sent state is remembered; past it the oldest is forgotten (a later catch-up may send it once more). */
const REMEMBERED_JOBS = 10_000;

export interface JobChangesSource {
  /** Live job events, already limited to what the subscriber may see. */
  live: AsyncIterableIterator<JobPayload>;
  /** PubSubPort.onResume, limited to the losses that concern this stream. */
  onResume: (listener: (event: ResumeEvent) => void) => () => void;
  /** One page of the jobs the subscriber may see changed at or after `since`, oldest change first, after `after`. */
  readChanged: (since: Date, limit: number, after?: { updatedAt: Date; id: string }) => Promise<JobPayload[]>;
  /** When the live source was subscribed: nothing before it belongs to this stream. */
  startedAt: Date;
}

/**
 * Every job a subscriber may see, as it changes: the live events, and whenever live delivery may
 * have missed some (Redis went away and came back, or a publish failed here) the jobs changed in
 * the store since shortly before the loss, oldest change first. A job's state goes out only when
 * it is further along than the last one sent for that job (domain/job-progress.ts): a catch-up
 * never repeats what was sent, and a late live event never takes a job back.
 */
export function jobChangesStream(source: JobChangesSource): AsyncIterableIterator<JobPayload> {
  const out = new PushIterator<JobPayload>();
  const sent = new Map<string, number>();
  const offer = async (job: JobPayload): Promise<void> => {
    const progress = jobProgress(job as JobPayload & { attempt: number; status: string });
    const last = sent.get(job.id);
    if (last !== undefined && progress <= last) return;
    // Re-inserted so the map's order is the order of last delivery: the oldest is forgotten first.
    sent.delete(job.id);
    sent.set(job.id, progress);
    if (sent.size > REMEMBERED_JOBS) sent.delete(sent.keys().next().value as string);
    await out.push(job);
  };
  // Catch-ups and live events one after another, so the order sent is the order decided.
  const feed = new OrderedFeed(out);

  let pendingSince: Date | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastCatchUp = 0;
  const catchUp = async (): Promise<void> => {
    const since = pendingSince;
    pendingSince = undefined;
    lastCatchUp = Date.now();
    if (!since) return;
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const page = await source.readChanged(since, CATCH_UP_PAGE, after);
      for (const job of page) {
        if (out.closed) return;
        await offer(job);
      }
      const last = page.at(-1);
      if (page.length < CATCH_UP_PAGE || !last) return;
      after = { updatedAt: new Date(String(last.updatedAt)), id: last.id };
    }
  };
  const request = (event: ResumeEvent): void => {
    if (out.closed) return;
    const since = new Date(Math.max(event.since.getTime(), source.startedAt.getTime()) - CATCH_UP_MARGIN_MS);
    if (!pendingSince || since < pendingSince) pendingSince = since;
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      feed.enqueue(catchUp);
    }, Math.max(0, lastCatchUp + CATCH_UP_MIN_GAP_MS - Date.now()));
  };
  out.onClose(source.onResume(request));
  out.onClose(() => clearTimeout(timer));
  feed.follow(source.live, offer);
  return out;
}
