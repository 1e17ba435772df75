/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation RegisterWorker($input: RegisterWorkerInput!) {\n    registerWorker(input: $input) {\n      id\n      name\n      leaseSeconds\n      heartbeatIntervalSeconds\n    }\n  }\n": typeof types.RegisterWorkerDocument,
    "\n  mutation Heartbeat($runningJobs: [JobAttemptInput!]!) {\n    heartbeat(runningJobs: $runningJobs) {\n      leaseExpiresAt\n      lost {\n        jobId\n        attempt\n      }\n      cancel {\n        jobId\n        attempt\n      }\n    }\n  }\n": typeof types.HeartbeatDocument,
    "\n  mutation StartJob($jobId: ID!, $attempt: Int!) {\n    startJob(jobId: $jobId, attempt: $attempt) {\n      id\n      status\n    }\n  }\n": typeof types.StartJobDocument,
    "\n  mutation AppendLogs($jobId: ID!, $attempt: Int!, $chunks: [LogChunkInput!]!) {\n    appendLogs(jobId: $jobId, attempt: $attempt, chunks: $chunks) {\n      ackedSeq\n      truncated\n    }\n  }\n": typeof types.AppendLogsDocument,
    "\n  mutation AppendLogsBatch($batches: [AttemptLogsInput!]!) {\n    appendLogsBatch(batches: $batches) {\n      jobId\n      attempt\n      accepted\n      ackedSeq\n      truncated\n      code\n      message\n    }\n  }\n": typeof types.AppendLogsBatchDocument,
    "\n  mutation CompleteJob($jobId: ID!, $attempt: Int!, $result: JobResultInput!) {\n    completeJob(jobId: $jobId, attempt: $attempt, result: $result) {\n      id\n      status\n    }\n  }\n": typeof types.CompleteJobDocument,
    "\n  fragment AttemptReportFields on AttemptReport {\n    jobId\n    attempt\n    accepted\n    code\n    message\n  }\n": typeof types.AttemptReportFieldsFragmentDoc,
    "\n  mutation StartJobs($attempts: [JobAttemptInput!]!) {\n    startJobs(attempts: $attempts) {\n      ...AttemptReportFields\n    }\n  }\n": typeof types.StartJobsDocument,
    "\n  mutation CompleteJobs($completions: [JobCompletionInput!]!) {\n    completeJobs(completions: $completions) {\n      ...AttemptReportFields\n    }\n  }\n": typeof types.CompleteJobsDocument,
    "\n  subscription Assignments {\n    assignmentBatch {\n      kind\n      jobId\n      attempt\n      leaseExpiresAt\n      job {\n        id\n        command\n        args\n        cwd\n        timeoutSeconds\n        sandbox\n        image\n        limits {\n          memoryMb\n          pids\n          cpuSeconds\n          fileSizeMb\n        }\n      }\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n": typeof types.AssignmentsDocument,
};
const documents: Documents = {
    "\n  mutation RegisterWorker($input: RegisterWorkerInput!) {\n    registerWorker(input: $input) {\n      id\n      name\n      leaseSeconds\n      heartbeatIntervalSeconds\n    }\n  }\n": types.RegisterWorkerDocument,
    "\n  mutation Heartbeat($runningJobs: [JobAttemptInput!]!) {\n    heartbeat(runningJobs: $runningJobs) {\n      leaseExpiresAt\n      lost {\n        jobId\n        attempt\n      }\n      cancel {\n        jobId\n        attempt\n      }\n    }\n  }\n": types.HeartbeatDocument,
    "\n  mutation StartJob($jobId: ID!, $attempt: Int!) {\n    startJob(jobId: $jobId, attempt: $attempt) {\n      id\n      status\n    }\n  }\n": types.StartJobDocument,
    "\n  mutation AppendLogs($jobId: ID!, $attempt: Int!, $chunks: [LogChunkInput!]!) {\n    appendLogs(jobId: $jobId, attempt: $attempt, chunks: $chunks) {\n      ackedSeq\n      truncated\n    }\n  }\n": types.AppendLogsDocument,
    "\n  mutation AppendLogsBatch($batches: [AttemptLogsInput!]!) {\n    appendLogsBatch(batches: $batches) {\n      jobId\n      attempt\n      accepted\n      ackedSeq\n      truncated\n      code\n      message\n    }\n  }\n": types.AppendLogsBatchDocument,
    "\n  mutation CompleteJob($jobId: ID!, $attempt: Int!, $result: JobResultInput!) {\n    completeJob(jobId: $jobId, attempt: $attempt, result: $result) {\n      id\n      status\n    }\n  }\n": types.CompleteJobDocument,
    "\n  fragment AttemptReportFields on AttemptReport {\n    jobId\n    attempt\n    accepted\n    code\n    message\n  }\n": types.AttemptReportFieldsFragmentDoc,
    "\n  mutation StartJobs($attempts: [JobAttemptInput!]!) {\n    startJobs(attempts: $attempts) {\n      ...AttemptReportFields\n    }\n  }\n": types.StartJobsDocument,
    "\n  mutation CompleteJobs($completions: [JobCompletionInput!]!) {\n    completeJobs(completions: $completions) {\n      ...AttemptReportFields\n    }\n  }\n": types.CompleteJobsDocument,
    "\n  subscription Assignments {\n    assignmentBatch {\n      kind\n      jobId\n      attempt\n      leaseExpiresAt\n      job {\n        id\n        command\n        args\n        cwd\n        timeoutSeconds\n        sandbox\n        image\n        limits {\n          memoryMb\n          pids\n          cpuSeconds\n          fileSizeMb\n        }\n      }\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n": types.AssignmentsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterWorker($input: RegisterWorkerInput!) {\n    registerWorker(input: $input) {\n      id\n      name\n      leaseSeconds\n      heartbeatIntervalSeconds\n    }\n  }\n"): typeof import('./graphql').RegisterWorkerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Heartbeat($runningJobs: [JobAttemptInput!]!) {\n    heartbeat(runningJobs: $runningJobs) {\n      leaseExpiresAt\n      lost {\n        jobId\n        attempt\n      }\n      cancel {\n        jobId\n        attempt\n      }\n    }\n  }\n"): typeof import('./graphql').HeartbeatDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartJob($jobId: ID!, $attempt: Int!) {\n    startJob(jobId: $jobId, attempt: $attempt) {\n      id\n      status\n    }\n  }\n"): typeof import('./graphql').StartJobDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AppendLogs($jobId: ID!, $attempt: Int!, $chunks: [LogChunkInput!]!) {\n    appendLogs(jobId: $jobId, attempt: $attempt, chunks: $chunks) {\n      ackedSeq\n      truncated\n    }\n  }\n"): typeof import('./graphql').AppendLogsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AppendLogsBatch($batches: [AttemptLogsInput!]!) {\n    appendLogsBatch(batches: $batches) {\n      jobId\n      attempt\n      accepted\n      ackedSeq\n      truncated\n      code\n      message\n    }\n  }\n"): typeof import('./graphql').AppendLogsBatchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteJob($jobId: ID!, $attempt: Int!, $result: JobResultInput!) {\n    completeJob(jobId: $jobId, attempt: $attempt, result: $result) {\n      id\n      status\n    }\n  }\n"): typeof import('./graphql').CompleteJobDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AttemptReportFields on AttemptReport {\n    jobId\n    attempt\n    accepted\n    code\n    message\n  }\n"): typeof import('./graphql').AttemptReportFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartJobs($attempts: [JobAttemptInput!]!) {\n    startJobs(attempts: $attempts) {\n      ...AttemptReportFields\n    }\n  }\n"): typeof import('./graphql').StartJobsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteJobs($completions: [JobCompletionInput!]!) {\n    completeJobs(completions: $completions) {\n      ...AttemptReportFields\n    }\n  }\n"): typeof import('./graphql').CompleteJobsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Assignments {\n    assignmentBatch {\n      kind\n      jobId\n      attempt\n      leaseExpiresAt\n      job {\n        id\n        command\n        args\n        cwd\n        timeoutSeconds\n        sandbox\n        image\n        limits {\n          memoryMb\n          pids\n          cpuSeconds\n          fileSizeMb\n        }\n      }\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n"): typeof import('./graphql').AssignmentsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
