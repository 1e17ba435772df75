import type { JobDoc } from './job-events';

/**
 * How the user side tells dispatch about a change. Implemented by the dispatcher (api-dispatch);
 * a no-op until it is plugged in, so jobs just wait in the queue.
 */
export interface JobDispatchHooks {
  /** A job became QUEUED (created or retried): try to hand it to a worker. */
  onJobQueued(job: JobDoc): Promise<void>;
  /**
   * cancelRequestedAt was just set on an ASSIGNED/RUNNING job: tell its worker. May finish the
   * cancel itself (e.g. nothing started yet) and returns the job as it now is, or null when unchanged.
   */
  onCancelRequested(job: JobDoc): Promise<JobDoc | null>;
}

export const noopDispatchHooks: JobDispatchHooks = {
  onJobQueued: async () => undefined,
  onCancelRequested: async () => null,
};
