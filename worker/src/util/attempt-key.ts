/** One attempt of one job, as the server names it in every job-scoped call. */
export interface AttemptRef {
  jobId: string;
  attempt: number;
}

/**
 * The key of one attempt in the worker's maps and logs: `jobId/attempt`. An attempt, not a
 * job, is the unit of work: a requeued job runs again under the next attempt number and
 * must not be mistaken for the one that lost its lease.
 */
export function attemptKey(ref: AttemptRef): string {
  return `${ref.jobId}/${ref.attempt}`;
}
