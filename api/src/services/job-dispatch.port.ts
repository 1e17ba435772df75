import type { SandboxKind } from '../domain/enums';
import type { JobDoc } from '../storage/repositories/documents';

/**
 * How the user side (job.service) tells dispatch about a change. Implemented by the
 * dispatcher; the job service depends on this port only, so it needs nothing else of it.
 */
export interface JobDispatchHooks {
  /** A job became QUEUED (created or retried): try to hand it to a worker. */
  onJobQueued(job: JobDoc): Promise<void>;
  /**
   * cancelRequestedAt was just set on an ASSIGNED/RUNNING job: tell its worker. May finish the
   * cancel itself (e.g. nothing started yet) and returns the job as it now is, or null when unchanged.
   */
  onCancelRequested(job: JobDoc): Promise<JobDoc | null>;
  /**
   * A job about to be inserted (no backoff): when a worker here sits idle with nothing queued
   * for it and may run the job, its slot is held and the job goes in already ASSIGNED to it.
   */
  assignAtInsert(job: NewJobSpec, now: Date): InsertAssignment | null;
}

/** What dispatch needs to know of a job before it exists. */
export interface NewJobSpec {
  requirements?: readonly string[] | null;
  sandbox?: SandboxKind | null;
}

/** A worker slot held for a job being inserted. Exactly one of deliver / release follows. */
export interface InsertAssignment {
  /** the fields to insert the job with (ASSIGNED, worker, lease) */
  fields: Record<string, unknown>;
  /** the job is stored with `fields`: hand it to the worker and publish the change */
  deliver(job: JobDoc): Promise<void>;
  /** the insert failed: the slot is free again */
  release(): void;
}
