/**
 * The worker's GraphQL operations. `graphql()` returns each as a typed document string
 * generated from schema/schema.graphql (`npm run codegen`; `npm run typecheck` fails when
 * the generated code is stale), so a request's variables and result are checked against
 * the schema at compile time.
 */
import { graphql } from '../gql';
import type { AppendLogsBatchMutation, AssignmentsSubscription, HeartbeatMutation, RegisterWorkerMutation, StartJobsMutation } from '../gql/graphql';

export const REGISTER_WORKER = graphql(`
  mutation RegisterWorker($input: RegisterWorkerInput!) {
    registerWorker(input: $input) {
      id
      name
      leaseSeconds
      heartbeatIntervalSeconds
    }
  }
`);

export const HEARTBEAT = graphql(`
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
`);

export const START_JOB = graphql(`
  mutation StartJob($jobId: ID!, $attempt: Int!) {
    startJob(jobId: $jobId, attempt: $attempt) {
      id
      status
    }
  }
`);

export const APPEND_LOGS = graphql(`
  mutation AppendLogs($jobId: ID!, $attempt: Int!, $chunks: [LogChunkInput!]!) {
    appendLogs(jobId: $jobId, attempt: $attempt, chunks: $chunks) {
      ackedSeq
      truncated
    }
  }
`);

export const APPEND_LOGS_BATCH = graphql(`
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
`);

export const COMPLETE_JOB = graphql(`
  mutation CompleteJob($jobId: ID!, $attempt: Int!, $result: JobResultInput!) {
    completeJob(jobId: $jobId, attempt: $attempt, result: $result) {
      id
      status
    }
  }
`);

/**
 * What the worker reads of each attempt's answer to startJobs and completeJobs. Not exported:
 * a fragment alone is no operation to send; codegen appends it to the documents that spread it.
 */
const ATTEMPT_REPORT_FIELDS = graphql(`
  fragment AttemptReportFields on AttemptReport {
    jobId
    attempt
    accepted
    code
    message
  }
`);

export const START_JOBS = graphql(`
  mutation StartJobs($attempts: [JobAttemptInput!]!) {
    startJobs(attempts: $attempts) {
      ...AttemptReportFields
    }
  }
`);

export const COMPLETE_JOBS = graphql(`
  mutation CompleteJobs($completions: [JobCompletionInput!]!) {
    completeJobs(completions: $completions) {
      ...AttemptReportFields
    }
  }
`);

export const ASSIGNMENTS = graphql(`
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
`);

export type { RegisterWorkerInput } from '../gql/graphql';

export type RegisteredWorker = RegisterWorkerMutation['registerWorker'];
export type HeartbeatResult = HeartbeatMutation['heartbeat'];
/** One attempt of one job, as the heartbeat names them. */
export type JobAttempt = HeartbeatResult['lost'][number];
export type Assignment = AssignmentsSubscription['assignmentBatch'][number];
export type AttemptReport = StartJobsMutation['startJobs'][number];
export type AppendLogsReport = AppendLogsBatchMutation['appendLogsBatch'][number];
export type AssignmentKind = Assignment['kind'];
export type AssignedJob = NonNullable<Assignment['job']>;
