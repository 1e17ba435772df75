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

registerEnumType(JobStatus, { name: 'JobStatus' });
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
