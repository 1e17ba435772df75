import { registerEnumType } from 'type-graphql';

// String enums: the stored value, the GraphQL value and the TS value are one name.

export enum JobStatus {
  QUEUED = 'QUEUED',
  ASSIGNED = 'ASSIGNED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELED = 'CANCELED',
  TIMED_OUT = 'TIMED_OUT',
}

/** SYSTEM: lines the platform adds (retry, lost worker, truncation). */
export enum LogStream {
  STDOUT = 'STDOUT',
  STDERR = 'STDERR',
  SYSTEM = 'SYSTEM',
}

export enum WorkerStatus {
  ONLINE = 'ONLINE',
  DRAINING = 'DRAINING',
  OFFLINE = 'OFFLINE',
}

export enum Role {
  ADMIN = 'ADMIN',
  USER = 'USER',
}

export enum AssignmentKind {
  ASSIGN = 'ASSIGN',
  CANCEL = 'CANCEL',
}

/** Ordered by isolation: a job may ask for a stronger kind than its worker's default, never a weaker one. */
export enum SandboxKind {
  NONE = 'NONE',
  NAMESPACE = 'NAMESPACE',
  DOCKER = 'DOCKER',
}

/** Why an attempt ended, as its history records it. */
export enum AttemptEndReason {
  /** The worker reported a result (SUCCEEDED, FAILED, TIMED_OUT). */
  FINISHED = 'FINISHED',
  CANCELED = 'CANCELED',
  /** Past timeoutSeconds and the worker did not stop it: the sweeper ended it. */
  TIMED_OUT = 'TIMED_OUT',
  /** The worker came back (restarted) without it. */
  WORKER_LOST = 'WORKER_LOST',
  /** The agent shut down and stopped it. */
  AGENT_SHUTDOWN = 'AGENT_SHUTDOWN',
  /** No heartbeat renewed its lease. */
  LEASE_LAPSED = 'LEASE_LAPSED',
  /** Assigned but never started (nothing ran). */
  NOT_STARTED = 'NOT_STARTED',
}

registerEnumType(JobStatus, { name: 'JobStatus' });
registerEnumType(AttemptEndReason, { name: 'AttemptEndReason', description: 'why an attempt ended' });
registerEnumType(LogStream, { name: 'LogStream', description: 'SYSTEM: lines the platform adds (retry, lost worker, truncation)' });
registerEnumType(WorkerStatus, { name: 'WorkerStatus' });
registerEnumType(Role, { name: 'Role' });
registerEnumType(AssignmentKind, { name: 'AssignmentKind' });
registerEnumType(SandboxKind, { name: 'SandboxKind' });

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = [
  JobStatus.SUCCEEDED,
  JobStatus.FAILED,
  JobStatus.CANCELED,
  JobStatus.TIMED_OUT,
];

/** Statuses in which an attempt holds a worker lease. */
export const LEASED_JOB_STATUSES: readonly JobStatus[] = [JobStatus.ASSIGNED, JobStatus.RUNNING];
