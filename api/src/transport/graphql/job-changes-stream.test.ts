import type { JobPayload } from '../../services/job-events';
import { PushIterator } from '../../services/push-iterator';
import { ResumeSignal } from '../../storage/pubsub/resume-signal';
import { CATCH_UP_MARGIN_MS, jobChangesStream } from './job-changes-stream';

const startedAt = new Date('2026-01-01T00:00:00Z');
const job = (id: string, status: string, attempt = 1): JobPayload => ({ id, createdById: 'u1', status, attempt, updatedAt: startedAt.toISOString() });

function setup(pages: JobPayload[][] = []) {
  const live = new PushIterator<JobPayload>();
  const resume = new ResumeSignal();
  const reads: Array<{ since: Date; after?: { id: string } }> = [];
  const readChanged = jest.fn(async (since: Date, limit: number, after?: { updatedAt: Date; id: string }) => {
    reads.push({ since, after: after && { id: after.id } });
    const page = pages.shift() ?? [];
    expect(page.length).toBeLessThanOrEqual(limit);
    return page;
  });
  const out = jobChangesStream({ live, onResume: (l) => resume.add(l), readChanged, startedAt });
  const take = async (n: number) => {
    const got: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const r = await out.next();
      if (r.done) break;
      got.push(`${r.value.id}:${r.value.status}:${String(r.value.attempt)}`);
    }
    return got;
  };
  return { live, resume, reads, out, take };
}

describe('jobChangesStream', () => {
  it('sends live changes, but not a repeat nor a state older than one already sent', async () => {
    const s = setup();
    for (const e of [job('a', 'QUEUED'), job('a', 'RUNNING'), job('a', 'RUNNING'), job('a', 'ASSIGNED'), job('b', 'QUEUED'), job('a', 'QUEUED', 2)]) await s.live.push(e);
    expect(await s.take(4)).toEqual(['a:QUEUED:1', 'a:RUNNING:1', 'b:QUEUED:1', 'a:QUEUED:2']);
    await s.out.return?.();
  });

  it('on a loss reads the store from shortly before it and sends what it had not sent, in the order read', async () => {
    const s = setup([[job('a', 'RUNNING'), job('a2', 'SUCCEEDED'), job('b', 'CANCELED')]]);
    await s.live.push(job('a', 'RUNNING'));
    expect(await s.take(1)).toEqual(['a:RUNNING:1']);
    const lostAt = new Date(startedAt.getTime() + 60_000);
    s.resume.fire({ since: lostAt });
    expect(await s.take(2)).toEqual(['a2:SUCCEEDED:1', 'b:CANCELED:1']);
    expect(s.reads).toEqual([{ since: new Date(lostAt.getTime() - CATCH_UP_MARGIN_MS), after: undefined }]);
    await s.out.return?.();
  });

  it('never reads from before the subscription began', async () => {
    const s = setup([[job('a', 'SUCCEEDED')]]);
    s.resume.fire({ since: new Date(startedAt.getTime() - 3_600_000) });
    expect(await s.take(1)).toEqual(['a:SUCCEEDED:1']);
    expect(s.reads[0].since).toEqual(new Date(startedAt.getTime() - CATCH_UP_MARGIN_MS));
    await s.out.return?.();
  });

  it('pages through a long outage', async () => {
    const first = Array.from({ length: 200 }, (_, i) => job(`j${i}`, 'SUCCEEDED'));
    const s = setup([first, [job('last', 'FAILED')]]);
    s.resume.fire({ since: startedAt });
    const got = await s.take(201);
    expect(got.at(-1)).toBe('last:FAILED:1');
    expect(s.reads.map((r) => r.after?.id)).toEqual([undefined, 'j199']);
    await s.out.return?.();
  });

  it('folds losses reported close together into one read, from the earliest', async () => {
    const s = setup([[job('a', 'RUNNING')], [job('a', 'SUCCEEDED')]]);
    const t1 = new Date(startedAt.getTime() + 10_000);
    s.resume.fire({ since: new Date(startedAt.getTime() + 20_000) });
    s.resume.fire({ since: t1 });
    expect(await s.take(1)).toEqual(['a:RUNNING:1']);
    s.resume.fire({ since: new Date(startedAt.getTime() + 40_000) });
    s.resume.fire({ since: new Date(startedAt.getTime() + 30_000) });
    expect(await s.take(1)).toEqual(['a:SUCCEEDED:1']);
    expect(s.reads.map((r) => r.since.getTime() - startedAt.getTime())).toEqual([10_000 - CATCH_UP_MARGIN_MS, 30_000 - CATCH_UP_MARGIN_MS]);
    await s.out.return?.();
  });

  it('stops listening for losses once the client leaves', async () => {
    const s = setup();
    await s.out.return?.();
    s.resume.fire({ since: startedAt });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.reads).toEqual([]);
  });
});
