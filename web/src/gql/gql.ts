/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

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
    "\n  fragment JobSummary on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    waitingReason\n    exitCode\n    signal\n    error\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      id\n      username\n    }\n    worker {\n      id\n      name\n    }\n  }\n": typeof types.JobSummaryFragmentDoc,
    "\n  mutation CreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...JobSummary\n    }\n  }\n": typeof types.CreateJobDocument,
    "\n  subscription JobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n": typeof types.JobLogsDocument,
    "\n  query AuditLog($first: Int, $after: String, $action: String, $actor: String) {\n    auditLog(first: $first, after: $after, action: $action, actor: $actor) {\n      edges {\n        cursor\n        node {\n          id\n          actorId\n          actorName\n          action\n          targetId\n          sourceAddress\n          at\n          details {\n            name\n            value\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query Job($id: ID!) {\n    job(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n      timeoutSeconds\n      cwd\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n": typeof types.JobDocument,
    "\n  subscription JobLive($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n    }\n  }\n": typeof types.JobLiveDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobSummary\n    }\n  }\n": typeof types.CancelJobDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...JobSummary\n    }\n  }\n": typeof types.RetryJobDocument,
    "\n  query JobLogPage($id: ID!, $attempt: Int!, $afterSeq: Int!, $limit: Int!) {\n    job(id: $id) {\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        seq\n        data\n      }\n    }\n  }\n": typeof types.JobLogPageDocument,
    "\n  query Jobs($status: [JobStatus!], $first: Int, $after: String) {\n    jobs(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...JobSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.JobsDocument,
    "\n  subscription JobsLive {\n    jobUpdated {\n      ...JobSummary\n    }\n  }\n": typeof types.JobsLiveDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        id\n        username\n        role\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  fragment WorkerSummary on Worker {\n    id\n    name\n    hostname\n    labels\n    status\n    running\n    capacity\n    version\n    lastHeartbeatAt\n    tokenName\n  }\n": typeof types.WorkerSummaryFragmentDoc,
    "\n  query Workers {\n    workers {\n      ...WorkerSummary\n    }\n  }\n": typeof types.WorkersDocument,
    "\n  subscription WorkersLive {\n    workerUpdated {\n      ...WorkerSummary\n    }\n  }\n": typeof types.WorkersLiveDocument,
    "\n  mutation DrainWorker($id: ID!) {\n    drainWorker(id: $id) {\n      ...WorkerSummary\n    }\n  }\n": typeof types.DrainWorkerDocument,
    "\n  mutation RemoveWorker($id: ID!) {\n    removeWorker(id: $id)\n  }\n": typeof types.RemoveWorkerDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  mutation CreateWorkerToken($name: String!, $labels: [String!]) {\n    createWorkerToken(name: $name, labels: $labels) {\n      id\n      token\n      workerName\n      labels\n      expiresAt\n      installCommand\n    }\n  }\n": typeof types.CreateWorkerTokenDocument,
    "\n  query WorkerTokens {\n    workerTokens {\n      id\n      name\n      labels\n      createdAt\n      lastUsedAt\n      expiresAt\n      revokedAt\n      rotatedAt\n      previousValidUntil\n    }\n  }\n": typeof types.WorkerTokensDocument,
    "\n  mutation RotateWorkerToken($id: ID!, $graceSeconds: Int) {\n    rotateWorkerToken(id: $id, graceSeconds: $graceSeconds) {\n      id\n      token\n      workerName\n      installCommand\n    }\n  }\n": typeof types.RotateWorkerTokenDocument,
    "\n  mutation RevokeWorkerToken($id: ID!) {\n    revokeWorkerToken(id: $id)\n  }\n": typeof types.RevokeWorkerTokenDocument,
};
const documents: Documents = {
    "\n  fragment JobSummary on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    waitingReason\n    exitCode\n    signal\n    error\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      id\n      username\n    }\n    worker {\n      id\n      name\n    }\n  }\n": types.JobSummaryFragmentDoc,
    "\n  mutation CreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...JobSummary\n    }\n  }\n": types.CreateJobDocument,
    "\n  subscription JobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n": types.JobLogsDocument,
    "\n  query AuditLog($first: Int, $after: String, $action: String, $actor: String) {\n    auditLog(first: $first, after: $after, action: $action, actor: $actor) {\n      edges {\n        cursor\n        node {\n          id\n          actorId\n          actorName\n          action\n          targetId\n          sourceAddress\n          at\n          details {\n            name\n            value\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query Job($id: ID!) {\n    job(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n      timeoutSeconds\n      cwd\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n": types.JobDocument,
    "\n  subscription JobLive($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n    }\n  }\n": types.JobLiveDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobSummary\n    }\n  }\n": types.CancelJobDocument,
    "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...JobSummary\n    }\n  }\n": types.RetryJobDocument,
    "\n  query JobLogPage($id: ID!, $attempt: Int!, $afterSeq: Int!, $limit: Int!) {\n    job(id: $id) {\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        seq\n        data\n      }\n    }\n  }\n": types.JobLogPageDocument,
    "\n  query Jobs($status: [JobStatus!], $first: Int, $after: String) {\n    jobs(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...JobSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.JobsDocument,
    "\n  subscription JobsLive {\n    jobUpdated {\n      ...JobSummary\n    }\n  }\n": types.JobsLiveDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        id\n        username\n        role\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  fragment WorkerSummary on Worker {\n    id\n    name\n    hostname\n    labels\n    status\n    running\n    capacity\n    version\n    lastHeartbeatAt\n    tokenName\n  }\n": types.WorkerSummaryFragmentDoc,
    "\n  query Workers {\n    workers {\n      ...WorkerSummary\n    }\n  }\n": types.WorkersDocument,
    "\n  subscription WorkersLive {\n    workerUpdated {\n      ...WorkerSummary\n    }\n  }\n": types.WorkersLiveDocument,
    "\n  mutation DrainWorker($id: ID!) {\n    drainWorker(id: $id) {\n      ...WorkerSummary\n    }\n  }\n": types.DrainWorkerDocument,
    "\n  mutation RemoveWorker($id: ID!) {\n    removeWorker(id: $id)\n  }\n": types.RemoveWorkerDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n": types.MeDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  mutation CreateWorkerToken($name: String!, $labels: [String!]) {\n    createWorkerToken(name: $name, labels: $labels) {\n      id\n      token\n      workerName\n      labels\n      expiresAt\n      installCommand\n    }\n  }\n": types.CreateWorkerTokenDocument,
    "\n  query WorkerTokens {\n    workerTokens {\n      id\n      name\n      labels\n      createdAt\n      lastUsedAt\n      expiresAt\n      revokedAt\n      rotatedAt\n      previousValidUntil\n    }\n  }\n": types.WorkerTokensDocument,
    "\n  mutation RotateWorkerToken($id: ID!, $graceSeconds: Int) {\n    rotateWorkerToken(id: $id, graceSeconds: $graceSeconds) {\n      id\n      token\n      workerName\n      installCommand\n    }\n  }\n": types.RotateWorkerTokenDocument,
    "\n  mutation RevokeWorkerToken($id: ID!) {\n    revokeWorkerToken(id: $id)\n  }\n": types.RevokeWorkerTokenDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobSummary on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    waitingReason\n    exitCode\n    signal\n    error\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      id\n      username\n    }\n    worker {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment JobSummary on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    waitingReason\n    exitCode\n    signal\n    error\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      id\n      username\n    }\n    worker {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...JobSummary\n    }\n  }\n"): (typeof documents)["\n  mutation CreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...JobSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription JobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($first: Int, $after: String, $action: String, $actor: String) {\n    auditLog(first: $first, after: $after, action: $action, actor: $actor) {\n      edges {\n        cursor\n        node {\n          id\n          actorId\n          actorName\n          action\n          targetId\n          sourceAddress\n          at\n          details {\n            name\n            value\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($first: Int, $after: String, $action: String, $actor: String) {\n    auditLog(first: $first, after: $after, action: $action, actor: $actor) {\n      edges {\n        cursor\n        node {\n          id\n          actorId\n          actorName\n          action\n          targetId\n          sourceAddress\n          at\n          details {\n            name\n            value\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Job($id: ID!) {\n    job(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n      timeoutSeconds\n      cwd\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n"): (typeof documents)["\n  query Job($id: ID!) {\n    job(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n      timeoutSeconds\n      cwd\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobLive($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription JobLive($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobSummary\n      attempts {\n        attempt\n        endReason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobSummary\n    }\n  }\n"): (typeof documents)["\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...JobSummary\n    }\n  }\n"): (typeof documents)["\n  mutation RetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...JobSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobLogPage($id: ID!, $attempt: Int!, $afterSeq: Int!, $limit: Int!) {\n    job(id: $id) {\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        seq\n        data\n      }\n    }\n  }\n"): (typeof documents)["\n  query JobLogPage($id: ID!, $attempt: Int!, $afterSeq: Int!, $limit: Int!) {\n    job(id: $id) {\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        seq\n        data\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Jobs($status: [JobStatus!], $first: Int, $after: String) {\n    jobs(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...JobSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Jobs($status: [JobStatus!], $first: Int, $after: String) {\n    jobs(status: $status, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...JobSummary\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobsLive {\n    jobUpdated {\n      ...JobSummary\n    }\n  }\n"): (typeof documents)["\n  subscription JobsLive {\n    jobUpdated {\n      ...JobSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        id\n        username\n        role\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        id\n        username\n        role\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkerSummary on Worker {\n    id\n    name\n    hostname\n    labels\n    status\n    running\n    capacity\n    version\n    lastHeartbeatAt\n    tokenName\n  }\n"): (typeof documents)["\n  fragment WorkerSummary on Worker {\n    id\n    name\n    hostname\n    labels\n    status\n    running\n    capacity\n    version\n    lastHeartbeatAt\n    tokenName\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Workers {\n    workers {\n      ...WorkerSummary\n    }\n  }\n"): (typeof documents)["\n  query Workers {\n    workers {\n      ...WorkerSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkersLive {\n    workerUpdated {\n      ...WorkerSummary\n    }\n  }\n"): (typeof documents)["\n  subscription WorkersLive {\n    workerUpdated {\n      ...WorkerSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DrainWorker($id: ID!) {\n    drainWorker(id: $id) {\n      ...WorkerSummary\n    }\n  }\n"): (typeof documents)["\n  mutation DrainWorker($id: ID!) {\n    drainWorker(id: $id) {\n      ...WorkerSummary\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveWorker($id: ID!) {\n    removeWorker(id: $id)\n  }\n"): (typeof documents)["\n  mutation RemoveWorker($id: ID!) {\n    removeWorker(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWorkerToken($name: String!, $labels: [String!]) {\n    createWorkerToken(name: $name, labels: $labels) {\n      id\n      token\n      workerName\n      labels\n      expiresAt\n      installCommand\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWorkerToken($name: String!, $labels: [String!]) {\n    createWorkerToken(name: $name, labels: $labels) {\n      id\n      token\n      workerName\n      labels\n      expiresAt\n      installCommand\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkerTokens {\n    workerTokens {\n      id\n      name\n      labels\n      createdAt\n      lastUsedAt\n      expiresAt\n      revokedAt\n      rotatedAt\n      previousValidUntil\n    }\n  }\n"): (typeof documents)["\n  query WorkerTokens {\n    workerTokens {\n      id\n      name\n      labels\n      createdAt\n      lastUsedAt\n      expiresAt\n      revokedAt\n      rotatedAt\n      previousValidUntil\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateWorkerToken($id: ID!, $graceSeconds: Int) {\n    rotateWorkerToken(id: $id, graceSeconds: $graceSeconds) {\n      id\n      token\n      workerName\n      installCommand\n    }\n  }\n"): (typeof documents)["\n  mutation RotateWorkerToken($id: ID!, $graceSeconds: Int) {\n    rotateWorkerToken(id: $id, graceSeconds: $graceSeconds) {\n      id\n      token\n      workerName\n      installCommand\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeWorkerToken($id: ID!) {\n    revokeWorkerToken(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeWorkerToken($id: ID!) {\n    revokeWorkerToken(id: $id)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;