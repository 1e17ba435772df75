import { useEffect, useMemo, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { errorMessage } from '../client/api-errors';
import { graphql } from '../gql';
import type { JobStatus, JobSummaryFragment } from '../gql/graphql';
import { JOB_STATUSES, commandLine, formatTime, isTerminal, jobDuration, newerJob } from '../jobs/job-format';
import { JobSubmitForm } from '../jobs/job-submit.form';
import { StatusBadge } from '../jobs/status-badge';
import { Link, navigate, useRoute } from '../router/hash-router';
import { useNow } from '../ui/use-now';
import { useReconnected } from '../ui/use-reconnected';

const PAGE_SIZE = 20;

const JobsDocument = graphql(`
  query Jobs($status: [JobStatus!], $first: Int, $after: String) {
    jobs(status: $status, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...JobSummary
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const JobsLiveDocument = graphql(`
  subscription JobsLive {
    jobUpdated {
      ...JobSummary
    }
  }
`);

type Job = JobSummaryFragment;

export function JobsPage() {
  const route = useRoute();
  const status = (route.query.get('status') as JobStatus | null) ?? null;
  // cursors of the pages before this one; [] = first (newest) page
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const after = cursors.length > 0 ? cursors[cursors.length - 1]! : null;
  const [showForm, setShowForm] = useState(route.query.get('new') === '1');
  const now = useNow(1000);

  useEffect(() => setCursors([]), [status]);

  const variables = useMemo(() => ({ status: status ? [status] : null, first: PAGE_SIZE, after }), [status, after]);
  const [{ data, error, fetching }, refetch] = useQuery({ query: JobsDocument, variables });
  useReconnected(() => refetch({ requestPolicy: 'network-only' }));

  // Live snapshots by id, newer than (or missing from) the last query result.
  const [live] = useSubscription({ query: JobsLiveDocument }, (prev: Map<string, Job> | undefined, event) => {
    const next = new Map(prev);
    const job = event.jobUpdated;
    const old = next.get(job.id);
    next.set(job.id, old ? newerJob(old, job) : job);
    return next;
  });

  const rows = useMemo(() => {
    const fromQuery = data?.jobs.edges.map((e) => e.node) ?? [];
    const liveMap = live.data ?? new Map<string, Job>();
    const seen = new Set(fromQuery.map((j) => j.id));
    const merged = fromQuery.map((j) => {
      const l = liveMap.get(j.id);
      return l ? newerJob(j, l) : j;
    });
    if (after !== null) return merged;
    // first page: jobs created since the query appear on top
    const newest = fromQuery[0]?.queuedAt;
    const added = [...liveMap.values()].filter(
      (j) => !seen.has(j.id) && (!status || j.status === status) && (!newest || j.queuedAt >= newest),
    );
    added.sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : a.queuedAt > b.queuedAt ? -1 : 0));
    return [...added, ...merged];
  }, [data, live.data, after, status]);

  const pageInfo = data?.jobs.pageInfo;

  // A change that falls between the query and the subscription taking effect is never
  // pushed: while some job here is still moving, read the page again now and then.
  const anyActive = rows.some((j) => !isTerminal(j.status));
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 15_000);
    return () => clearInterval(timer);
  }, [anyActive, refetch]);

  return (
    <main id="main" tabIndex={-1} className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        <div className="toolbar">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status ?? ''}
            onChange={(e) => navigate(e.target.value ? `/jobs?status=${e.target.value}` : '/jobs')}
          >
            <option value="">All</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase().replace('_', ' ')}
              </option>
            ))}
          </select>
          <button type="button" className="primary" aria-expanded={showForm} onClick={() => setShowForm((v) => !v)}>
            {showForm ? 'Close form' : 'New job'}
          </button>
        </div>
      </div>

      {showForm && <JobSubmitForm onCreated={(job) => navigate(`/jobs/${job.id}`)} />}

      {error && (
        <div className="error" role="alert">
          {errorMessage(error)}
        </div>
      )}
      {live.error && (
        <p className="notice" role="status">
          Live updates interrupted: {errorMessage(live.error)}
        </p>
      )}

      <div className="table-wrap">
        <table className="jobs" aria-busy={fetching}>
          <caption className="sr-only">Jobs, newest first{status ? `, status ${status.toLowerCase()}` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Command</th>
              <th scope="col">Who</th>
              <th scope="col">Worker</th>
              <th scope="col">Queued</th>
              <th scope="col">Duration</th>
              <th scope="col">Exit</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((job) => (
              <tr key={job.id} data-job-id={job.id} data-status={job.status}>
                <td>
                  <StatusBadge status={job.status} />
                  {job.attempt > 1 && <span className="muted small"> #{job.attempt}</span>}
                  {job.waitingReason && (
                    <span className="waiting-reason" data-testid="waiting-reason">
                      {job.waitingReason}
                    </span>
                  )}
                </td>
                <td className="command">
                  <Link to={`/jobs/${job.id}`} title={commandLine(job)}>
                    <code>{commandLine(job)}</code>
                  </Link>
                </td>
                <td>{job.createdBy?.username ?? <span className="muted">—</span>}</td>
                <td>{job.worker?.name ?? <span className="muted">—</span>}</td>
                <td>
                  <time dateTime={job.queuedAt}>{formatTime(job.queuedAt)}</time>
                </td>
                <td>{jobDuration(job, now)}</td>
                <td>{exitText(job)}</td>
              </tr>
            ))}
            {rows.length === 0 && !fetching && (
              <tr>
                <td colSpan={7} className="empty">
                  No jobs{status ? ` with status ${status.toLowerCase()}` : ' yet'}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          ← Newer
        </button>
        <span className="muted">Page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!pageInfo?.hasNextPage}
          onClick={() => pageInfo?.endCursor && setCursors((c) => [...c, pageInfo.endCursor!])}
        >
          Older →
        </button>
      </nav>
    </main>
  );
}

function exitText(job: Job): string {
  if (job.exitCode !== null && job.exitCode !== undefined) return String(job.exitCode);
  if (job.signal) return job.signal;
  return '—';
}
