import { useEffect, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { errorMessage } from '../client/api-errors';
import { graphql } from '../gql';
import type { JobSummaryFragment } from '../gql/graphql';
import { commandLine, formatBytes, formatTime, isTerminal, jobDuration, newerJob } from '../jobs/job-format';
import { CommandText } from '../jobs/command-text';
import { StatusBadge } from '../jobs/status-badge';
import { downloadJobLog } from '../logs/log-download';
import { LogView } from '../logs/log-view';
import { useJobLog } from '../logs/use-job-log';
import { Link } from '../router/hash-router';
import { ConfirmButton } from '../ui/confirm-button';
import { useNow } from '../ui/use-now';
import { useReconnected } from '../ui/use-reconnected';

const JobDocument = graphql(`
  query Job($id: ID!) {
    job(id: $id) {
      ...JobSummary
      attempts {
        attempt
        endReason
      }
      timeoutSeconds
      cwd
      env {
        name
        value
        secret
      }
    }
  }
`);

const JobLiveDocument = graphql(`
  subscription JobLive($id: ID!) {
    jobUpdated(id: $id) {
      ...JobSummary
      attempts {
        attempt
        endReason
      }
    }
  }
`);

const CancelJobDocument = graphql(`
  mutation CancelJob($id: ID!) {
    cancelJob(id: $id) {
      ...JobSummary
    }
  }
`);

const RetryJobDocument = graphql(`
  mutation RetryJob($id: ID!) {
    retryJob(id: $id) {
      ...JobSummary
    }
  }
`);

const JobLogPageDocument = graphql(`
  query JobLogPage($id: ID!, $attempt: Int!, $afterSeq: Int!, $limit: Int!) {
    job(id: $id) {
      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {
        seq
        data
      }
    }
  }
`);

export function JobPage({ id }: { id: string }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: JobDocument, variables: { id }, requestPolicy: 'network-only' });
  useReconnected(() => refetch({ requestPolicy: 'network-only' }));
  const [live] = useSubscription({ query: JobLiveDocument, variables: { id } }, (_: JobSummaryFragment | undefined, e) => e.jobUpdated);
  const [, cancelJob] = useMutation(CancelJobDocument);
  const [, retryJob] = useMutation(RetryJobDocument);
  const [actionError, setActionError] = useState<string | null>(null);
  const [mutated, setMutated] = useState<JobSummaryFragment | null>(null);
  // undefined: start from the job's current attempt (and follow later ones)
  const [viewAttempt, setViewAttempt] = useState<number | undefined>(undefined);
  const [downloading, setDownloading] = useState(false);

  useEffect(() => {
    setViewAttempt(undefined);
    setMutated(null);
  }, [id]);

  const base = data?.job;
  let job: JobSummaryFragment | null | undefined = base;
  for (const other of [live.data, mutated]) if (job && other && other.id === job.id) job = newerJob(job, other);
  const log = useJobLog(id, viewAttempt, job?.attempt);
  // why each earlier attempt ended, newest report first (the live event, else the page's query)
  const liveAttempts = live.data?.id === id ? (live.data as AttemptHistory).attempts : undefined;
  const endReasons = new Map((liveAttempts ?? (base as AttemptHistory | undefined)?.attempts ?? []).map((a) => [a.attempt, a.endReason]));
  const running = job ? !isTerminal(job.status) : false;
  const now = useNow(1000, running);

  // The query and the jobUpdated subscription race: a change between the query's read and
  // the subscription taking effect is never sent. Output from an attempt the header still
  // shows as not started proves that happened: read the job again.
  const lines = log.state.lines;
  const lastLogAttempt = lines.length > 0 ? lines[lines.length - 1]!.attempt : 0;
  const headerBehindLog =
    job !== null && job !== undefined && (lastLogAttempt > job.attempt || (lastLogAttempt === job.attempt && (job.status === 'QUEUED' || job.status === 'ASSIGNED')));
  useEffect(() => {
    if (headerBehindLog) refetch({ requestPolicy: 'network-only' });
  }, [headerBehindLog, refetch]);
  // and a slow safety net for a job that stays quiet
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 15_000);
    return () => clearInterval(timer);
  }, [running, refetch]);

  if (error && !base) {
    return (
      <main id="main" tabIndex={-1} className="page">
        <div className="error" role="alert">
          {errorMessage(error)}
        </div>
        <Link to="/jobs">Back to jobs</Link>
      </main>
    );
  }
  if (!job || !base) {
    return (
      <main id="main" tabIndex={-1} className="page">
        <p className="muted">{fetching ? 'Loading…' : 'This job does not exist, or you may not see it.'}</p>
        <Link to="/jobs">Back to jobs</Link>
      </main>
    );
  }

  const truncated = job.logTruncated || log.state.truncated;
  const shownJob = job;

  async function act(kind: 'cancel' | 'retry') {
    setActionError(null);
    const result = kind === 'cancel' ? await cancelJob({ id }) : await retryJob({ id });
    const updated = result.data && ('cancelJob' in result.data ? result.data.cancelJob : result.data.retryJob);
    if (updated) {
      setMutated(updated);
      // a retry starts a new attempt: follow it from its first line
      if (kind === 'retry') setViewAttempt(updated.attempt);
    } else setActionError(errorMessage(result.error));
  }

  async function download() {
    setDownloading(true);
    setActionError(null);
    try {
      await downloadJobLog(JobLogPageDocument, id, shownJob.attempt);
    } catch (e) {
      setActionError(`Download failed: ${(e as Error).message}`);
    } finally {
      setDownloading(false);
    }
  }

  return (
    <main id="main" tabIndex={-1} className="page job-page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/jobs">Jobs</Link> / <span className="mono">{job.id}</span>
      </nav>
      <header className="job-head card">
        <div className="job-title">
          <StatusBadge status={job.status} />
          <CommandText command={commandLine(job)} heading />
        </div>
        <dl className="facts">
          <div>
            <dt>Attempt</dt>
            <dd data-testid="attempt">
              {job.attempt} of {job.maxAttempts}
            </dd>
          </div>
          <div>
            <dt>Worker</dt>
            <dd>{job.worker?.name ?? '—'}</dd>
          </div>
          <div>
            <dt>Queued</dt>
            <dd>{formatTime(job.queuedAt)}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatTime(job.startedAt)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{formatTime(job.finishedAt)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{jobDuration(job, now)}</dd>
          </div>
          <div>
            <dt>Exit</dt>
            <dd data-testid="exit">{job.exitCode ?? job.signal ?? '—'}</dd>
          </div>
          <div>
            <dt>By</dt>
            <dd>{job.createdBy?.username ?? <span className="muted">(user no longer exists)</span>}</dd>
          </div>
          <div>
            <dt>Priority</dt>
            <dd>{job.priority}</dd>
          </div>
          {base.timeoutSeconds != null && (
            <div>
              <dt>Timeout</dt>
              <dd>{base.timeoutSeconds} s</dd>
            </div>
          )}
          {job.requirements.length > 0 && (
            <div>
              <dt>Requires</dt>
              <dd>{job.requirements.join(', ')}</dd>
            </div>
          )}
          {base.env.length > 0 && (
            <div>
              <dt>Env</dt>
              <dd>{base.env.map((v) => (v.secret ? `${v.name}=••••` : `${v.name}=${v.value ?? ''}`)).join('  ')}</dd>
            </div>
          )}
        </dl>
        {job.waitingReason && (
          <p className="notice warn" role="status" data-testid="waiting-reason">
            Waiting: {job.waitingReason}.
          </p>
        )}
        {job.error && (
          <p className="error" role="status">
            {job.error}
          </p>
        )}
        {job.cancelRequestedAt && !isTerminal(job.status) && <p className="notice">Cancel requested; waiting for the worker to stop it.</p>}
        <div className="actions">
          {!isTerminal(job.status) && (
            <ConfirmButton
              label="Cancel"
              question={
                <>
                  Cancel <code>{commandLine(job)}</code>? A running process gets SIGTERM, then SIGKILL.
                </>
              }
              confirmLabel="Cancel job"
              danger
              disabled={Boolean(job.cancelRequestedAt)}
              onConfirm={() => act('cancel')}
            />
          )}
          {isTerminal(job.status) && (
            <ConfirmButton
              label="Retry"
              question={
                <>
                  Run <code>{commandLine(job)}</code> again as attempt {job.attempt + 1}?
                </>
              }
              confirmLabel="Retry job"
              onConfirm={() => act('retry')}
            />
          )}
          <button type="button" onClick={() => void download()} disabled={downloading}>
            {downloading ? 'Preparing…' : 'Download log'}
          </button>
          {job.attempt > 1 && (
            <label className="inline">
              Log of{' '}
              <select
                data-testid="attempt-picker"
                value={viewAttempt ?? ''}
                onChange={(e) => setViewAttempt(e.target.value ? Number(e.target.value) : undefined)}
              >
                <option value="">
                  attempt {job.attempt} of {job.attempt} (current)
                </option>
                {/* an earlier attempt's log, followed by the later ones below it */}
                {Array.from({ length: job.attempt - 1 }, (_, i) => job.attempt - 1 - i).map((n) => (
                  <option key={n} value={n}>
                    attempt {n} of {job.attempt}
                    {endReasons.has(n) ? ` (${describeEnd(endReasons.get(n)!)})` : ''}
                  </option>
                ))}
              </select>
            </label>
          )}
          {/* logBytes arrives with jobUpdated (status changes); the live tail grows in between. */}
          <span className="muted small">{formatBytes(Math.max(job.logBytes, log.state.size))} of output</span>
        </div>
        {actionError && (
          <div className="error" role="alert">
            {actionError}
          </div>
        )}
      </header>

      {truncated && (
        <p className="notice warn" role="status" data-testid="truncated">
          This log was truncated: output past the size limit was dropped.
        </p>
      )}
      {log.error && (
        <p className="notice" role="status">
          Log stream: {log.error}
        </p>
      )}
      <LogView lines={log.state.lines} live={running} />
    </main>
  );
}

interface AttemptHistory {
  attempts?: Array<{ attempt: number; endReason: string }>;
}

/** Why an attempt ended, in a few words for the attempt picker. */
function describeEnd(reason: string): string {
  switch (reason) {
    case 'FINISHED':
      return 'finished';
    case 'CANCELED':
      return 'canceled';
    case 'TIMED_OUT':
      return 'timed out';
    case 'WORKER_LOST':
      return 'worker lost';
    case 'AGENT_SHUTDOWN':
      return 'agent shut down';
    case 'LEASE_LAPSED':
      return 'lease lapsed';
    case 'NOT_STARTED':
      return 'never started';
    default:
      return reason.toLowerCase();
  }
}
