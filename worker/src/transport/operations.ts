/**
 * The worker's GraphQL operations (checked against schema/schema.graphql by
 * operations.test.ts) and the shapes of their results.
 */
import type { SandboxKind } from '../runner/sandbox.types';

export const REGISTER_WORKER = /* GraphQL */ `
  mutation RegisterWorker($input: RegisterWorkerInput!) {
    registerWorker(input: $input) {
      id
      name
      leaseSeconds
      heartbeatIntervalSeconds
    }
  }
`;

export const HEARTBEAT = /* GraphQL */ `
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
`;

export const START_JOB = /* GraphQL */ `
  mutation StartJob($jobId: ID!, $attempt: Int!) {
    startJob(jobId: $jobId, attempt: $attempt) {
      id
      status
    }
  }
`;

export const APPEND_LOGS = /* GraphQL */ `
  mutation AppendLogs($jobId: ID!, $attempt: Int!, $chunks: [LogChunkInput!]!) {
    appendLogs(jobId: $jobId, attempt: $attempt, chunks: $chunks) {
      ackedSeq
      truncated
    }
  }
`;

export const COMPLETE_JOB = /* GraphQL */ `
  mutation CompleteJob($jobId: ID!, $attempt: Int!, $result: JobResultInput!) {
    completeJob(jobId: $jobId, attempt: $attempt, result: $result) {
      id
      status
    }
  }
`;

export const ASSIGNMENTS = /* GraphQL */ `
  subscription Assignments {
    assignments {
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
`;

export interface JobAttempt {
  jobId: string;
  attempt: number;
}

export interface RegisterWorkerInput {
  name: string | null;
  hostname?: string;
  labels: string[];
  capacity: number;
  version?: string;
  sandboxes: SandboxKind[];
  runningJobs: JobAttempt[];
}

export interface RegisteredWorker {
  id: string;
  name: string;
  leaseSeconds: number;
  heartbeatIntervalSeconds: number;
}

export interface HeartbeatResult {
  leaseExpiresAt: string;
  lost: JobAttempt[];
  cancel: JobAttempt[];
}

export interface AssignedJob {
  id: string;
  command: string;
  args: string[] | null;
  cwd: string | null;
  timeoutSeconds: number | null;
  sandbox: SandboxKind | null;
  image: string | null;
  limits: { memoryMb: number | null; pids: number | null; cpuSeconds: number | null; fileSizeMb: number | null } | null;
}

export type AssignmentKind = 'ASSIGN' | 'CANCEL';

export interface Assignment {
  kind: AssignmentKind;
  jobId: string;
  attempt: number;
  job: AssignedJob | null;
  env: { name: string; value: string; secret: boolean }[] | null;
  /** ASSIGN: when the assignment's lease runs out unless startJob renews it (ISO time) */
  leaseExpiresAt?: string | null;
}
