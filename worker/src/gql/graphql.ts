/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AssignmentKind =
  | 'ASSIGN'
  | 'CANCEL';

/** one attempt's chunks, in an appendLogsBatch call */
export type AttemptLogsInput = {
  attempt: number;
  chunks: Array<LogChunkInput>;
  jobId: string | number;
};

export type JobAttemptInput = {
  attempt: number;
  jobId: string | number;
};

/** one attempt's result, in a completeJobs batch */
export type JobCompletionInput = {
  attempt: number;
  jobId: string | number;
  result: JobResultInput;
};

export type JobResultInput = {
  /** the agent stopped the process because it shut down: the attempt is requeued, not failed */
  agentShutdown?: boolean | null | undefined;
  /** the process was stopped because of a CANCEL */
  canceled?: boolean | null | undefined;
  /** platform-side failure (spawn error, limit exceeded) */
  error?: string | null | undefined;
  exitCode?: number | null | undefined;
  /** sent instead of a startJob when the process ended before its start was reported: how long it ran (ms, spawn to exit); the attempt is recorded as started that long before it finished */
  ranForMs?: number | null | undefined;
  signal?: string | null | undefined;
  /** the process was stopped because timeoutSeconds passed */
  timedOut?: boolean | null | undefined;
};

export type JobStatus =
  | 'ASSIGNED'
  | 'CANCELED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'TIMED_OUT';

export type LogChunkInput = {
  at?: string | null | undefined;
  data: string;
  seq: number;
  stream: LogStream;
};

/** SYSTEM: lines the platform adds (retry, lost worker, truncation) */
export type LogStream =
  | 'STDERR'
  | 'STDOUT'
  | 'SYSTEM';

export type RegisterWorkerInput = {
  capacity: number;
  hostname?: string | null | undefined;
  /** per agent process: the same process reconnecting keeps its worker; another live agent on the token under the same name makes this one name-2, name-3… */
  instanceId?: string | null | undefined;
  labels?: Array<string> | null | undefined;
  /** default: the worker token's name */
  name?: string | null | undefined;
  /** attempts still running after a reconnect */
  runningJobs?: Array<JobAttemptInput> | null | undefined;
  sandboxes?: Array<SandboxKind> | null | undefined;
  version?: string | null | undefined;
};

export type SandboxKind =
  | 'DOCKER'
  | 'NAMESPACE'
  | 'NONE';

export type RegisterWorkerMutationVariables = Exact<{
  input: RegisterWorkerInput;
}>;


export type RegisterWorkerMutation = { registerWorker: { id: string, name: string, leaseSeconds: number, heartbeatIntervalSeconds: number } };

export type HeartbeatMutationVariables = Exact<{
  runningJobs: Array<JobAttemptInput> | JobAttemptInput;
}>;


export type HeartbeatMutation = { heartbeat: { leaseExpiresAt: string, lost: Array<{ jobId: string, attempt: number }>, cancel: Array<{ jobId: string, attempt: number }> } };

export type StartJobMutationVariables = Exact<{
  jobId: string | number;
  attempt: number;
}>;


export type StartJobMutation = { startJob: { id: string, status: JobStatus } };

export type AppendLogsMutationVariables = Exact<{
  jobId: string | number;
  attempt: number;
  chunks: Array<LogChunkInput> | LogChunkInput;
}>;


export type AppendLogsMutation = { appendLogs: { ackedSeq: number, truncated: boolean } };

export type AppendLogsBatchMutationVariables = Exact<{
  batches: Array<AttemptLogsInput> | AttemptLogsInput;
}>;


export type AppendLogsBatchMutation = { appendLogsBatch: Array<{ jobId: string, attempt: number, accepted: boolean, ackedSeq: number | null, truncated: boolean | null, code: string | null, message: string | null }> };

export type CompleteJobMutationVariables = Exact<{
  jobId: string | number;
  attempt: number;
  result: JobResultInput;
}>;


export type CompleteJobMutation = { completeJob: { id: string, status: JobStatus } };

export type AttemptReportFieldsFragment = { jobId: string, attempt: number, accepted: boolean, code: string | null, message: string | null };

export type StartJobsMutationVariables = Exact<{
  attempts: Array<JobAttemptInput> | JobAttemptInput;
}>;


export type StartJobsMutation = { startJobs: Array<{ jobId: string, attempt: number, accepted: boolean, code: string | null, message: string | null }> };

export type CompleteJobsMutationVariables = Exact<{
  completions: Array<JobCompletionInput> | JobCompletionInput;
}>;


export type CompleteJobsMutation = { completeJobs: Array<{ jobId: string, attempt: number, accepted: boolean, code: string | null, message: string | null }> };

export type AssignmentsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type AssignmentsSubscription = { assignmentBatch: Array<{ kind: AssignmentKind, jobId: string, attempt: number, leaseExpiresAt: string | null, job: { id: string, command: string, args: Array<string> | null, cwd: string | null, timeoutSeconds: number | null, sandbox: SandboxKind | null, image: string | null, limits: { memoryMb: number | null, pids: number | null, cpuSeconds: number | null, fileSizeMb: number | null } | null } | null, env: Array<{ name: string, value: string, secret: boolean }> | null }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AttemptReportFieldsFragmentDoc = new TypedDocumentString(`
    fragment AttemptReportFields on AttemptReport {
  jobId
  attempt
  accepted
  code
  message
}
    `, {"fragmentName":"AttemptReportFields"}) as unknown as TypedDocumentString<AttemptReportFieldsFragment, unknown>;
export const RegisterWorkerDocument = new TypedDocumentString(`
    mutation RegisterWorker($input: RegisterWorkerInput!) {
  registerWorker(input: $input) {
    id
    name
    leaseSeconds
    heartbeatIntervalSeconds
  }
}
    `) as unknown as TypedDocumentString<RegisterWorkerMutation, RegisterWorkerMutationVariables>;
export const HeartbeatDocument = new TypedDocumentString(`
    mutation Heartbeat($runningJobs: [JobAttemptInput!]!) {
  heartbeat(runningJobs: $runningJobs) {
    leaseExpiresAt
    lost {
      jobId
      attempt
    }
    cancel {
      jobId
      attempt
    }
  }
}
    `) as unknown as TypedDocumentString<HeartbeatMutation, HeartbeatMutationVariables>;
export const StartJobDocument = new TypedDocumentString(`
    mutation StartJob($jobId: ID!, $attempt: Int!) {
  startJob(jobId: $jobId, attempt: $attempt) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<StartJobMutation, StartJobMutationVariables>;
export const AppendLogsDocument = new TypedDocumentString(`
    mutation AppendLogs($jobId: ID!, $attempt: Int!, $chunks: [LogChunkInput!]!) {
  appendLogs(jobId: $jobId, attempt: $attempt, chunks: $chunks) {
    ackedSeq
    truncated
  }
}
    `) as unknown as TypedDocumentString<AppendLogsMutation, AppendLogsMutationVariables>;
export const AppendLogsBatchDocument = new TypedDocumentString(`
    mutation AppendLogsBatch($batches: [AttemptLogsInput!]!) {
  appendLogsBatch(batches: $batches) {
    jobId
    attempt
    accepted
    ackedSeq
    truncated
    code
    message
  }
}
    `) as unknown as TypedDocumentString<AppendLogsBatchMutation, AppendLogsBatchMutationVariables>;
export const CompleteJobDocument = new TypedDocumentString(`
    mutation CompleteJob($jobId: ID!, $attempt: Int!, $result: JobResultInput!) {
  completeJob(jobId: $jobId, attempt: $attempt, result: $result) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<CompleteJobMutation, CompleteJobMutationVariables>;
export const StartJobsDocument = new TypedDocumentString(`
    mutation StartJobs($attempts: [JobAttemptInput!]!) {
  startJobs(attempts: $attempts) {
    ...AttemptReportFields
  }
}
    fragment AttemptReportFields on AttemptReport {
  jobId
  attempt
  accepted
  code
  message
}`) as unknown as TypedDocumentString<StartJobsMutation, StartJobsMutationVariables>;
export const CompleteJobsDocument = new TypedDocumentString(`
    mutation CompleteJobs($completions: [JobCompletionInput!]!) {
  completeJobs(completions: $completions) {
    ...AttemptReportFields
  }
}
    fragment AttemptReportFields on AttemptReport {
  jobId
  attempt
  accepted
  code
  message
}`) as unknown as TypedDocumentString<CompleteJobsMutation, CompleteJobsMutationVariables>;
export const AssignmentsDocument = new TypedDocumentString(`
    subscription Assignments {
  assignmentBatch {
    kind
    jobId
    attempt
    leaseExpiresAt
    job {
      id
      command
      args
      cwd
      timeoutSeconds
      sandbox
      image
      limits {
        memoryMb
        pids
        cpuSeconds
        fileSizeMb
      }
    }
    env {
      name
      value
      secret
    }
  }
}
    `) as unknown as TypedDocumentString<AssignmentsSubscription, AssignmentsSubscriptionVariables>;