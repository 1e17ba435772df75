import { JobStatus } from './enums';

/** What a job's progress is read from (a stored job, or its event payload). */
export interface ProgressFields {
  attempt: number;
  status: JobStatus | string;
  cancelRequestedAt?: unknown;
}

const RANK: Record<JobStatus, number> = {
  [JobStatus.QUEUED]: 0,
  [JobStatus.ASSIGNED]: 1,
  [JobStatus.RUNNING]: 2,
  [JobStatus.SUCCEEDED]: 3,
  [JobStatus.FAILED]: 3,
  [JobStatus.CANCELED]: 3,
  [JobStatus.TIMED_OUT]: 3,
};

/**
 * How far a job has come, as one number that every published state-machine transition raises:
 * within an attempt the status only moves forward (QUEUED → ASSIGNED → RUNNING → an end) and a
 * cancel request is only ever set; every move back to QUEUED starts the next attempt. So of two
 * states of one job, the greater is the later, whichever replica's clock stamped them, and two
 * equal ones are the same state (a lease renewal or a log write changes neither).
 */
export function jobProgress(job: ProgressFields): number {
  const rank = RANK[job.status as JobStatus] ?? 0;
  const cancel = job.cancelRequestedAt === undefined || job.cancelRequestedAt === null ? 0 : 1;
  return job.attempt * 8 + rank * 2 + cancel;
}
