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
    "\n  mutation CliLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        username\n        role\n      }\n    }\n  }\n": typeof types.CliLoginDocument,
    "\n  query CliMe {\n    me {\n      username\n      role\n    }\n  }\n": typeof types.CliMeDocument,
    "\n  fragment CliJobFields on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    exitCode\n    signal\n    error\n    timeoutSeconds\n    sandbox\n    image\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      username\n    }\n    worker {\n      name\n    }\n  }\n": typeof types.CliJobFieldsFragmentDoc,
    "\n  mutation CliCreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...CliJobFields\n    }\n  }\n": typeof types.CliCreateJobDocument,
    "\n  query CliJob($id: ID!) {\n    job(id: $id) {\n      ...CliJobFields\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n": typeof types.CliJobDocument,
    "\n  query CliJobLogsPage($id: ID!, $attempt: Int, $afterSeq: Int, $limit: Int) {\n    job(id: $id) {\n      id\n      attempt\n      status\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n": typeof types.CliJobLogsPageDocument,
    "\n  query CliJobs($status: [JobStatus!], $first: Int) {\n    jobs(status: $status, first: $first) {\n      edges {\n        node {\n          ...CliJobFields\n        }\n      }\n    }\n  }\n": typeof types.CliJobsDocument,
    "\n  mutation CliCancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n": typeof types.CliCancelJobDocument,
    "\n  mutation CliRetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n": typeof types.CliRetryJobDocument,
    "\n  query CliWorkers($status: [WorkerStatus!]) {\n    workers(status: $status) {\n      id\n      name\n      hostname\n      labels\n      capacity\n      running\n      status\n      version\n      lastHeartbeatAt\n      tokenName\n    }\n  }\n": typeof types.CliWorkersDocument,
    "\n  subscription CliJobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...CliJobFields\n    }\n  }\n": typeof types.CliJobUpdatedDocument,
    "\n  subscription CliJobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n": typeof types.CliJobLogsDocument,
};
const documents: Documents = {
    "\n  mutation CliLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        username\n        role\n      }\n    }\n  }\n": types.CliLoginDocument,
    "\n  query CliMe {\n    me {\n      username\n      role\n    }\n  }\n": types.CliMeDocument,
    "\n  fragment CliJobFields on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    exitCode\n    signal\n    error\n    timeoutSeconds\n    sandbox\n    image\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      username\n    }\n    worker {\n      name\n    }\n  }\n": types.CliJobFieldsFragmentDoc,
    "\n  mutation CliCreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...CliJobFields\n    }\n  }\n": types.CliCreateJobDocument,
    "\n  query CliJob($id: ID!) {\n    job(id: $id) {\n      ...CliJobFields\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n": types.CliJobDocument,
    "\n  query CliJobLogsPage($id: ID!, $attempt: Int, $afterSeq: Int, $limit: Int) {\n    job(id: $id) {\n      id\n      attempt\n      status\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n": types.CliJobLogsPageDocument,
    "\n  query CliJobs($status: [JobStatus!], $first: Int) {\n    jobs(status: $status, first: $first) {\n      edges {\n        node {\n          ...CliJobFields\n        }\n      }\n    }\n  }\n": types.CliJobsDocument,
    "\n  mutation CliCancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n": types.CliCancelJobDocument,
    "\n  mutation CliRetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n": types.CliRetryJobDocument,
    "\n  query CliWorkers($status: [WorkerStatus!]) {\n    workers(status: $status) {\n      id\n      name\n      hostname\n      labels\n      capacity\n      running\n      status\n      version\n      lastHeartbeatAt\n      tokenName\n    }\n  }\n": types.CliWorkersDocument,
    "\n  subscription CliJobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...CliJobFields\n    }\n  }\n": types.CliJobUpdatedDocument,
    "\n  subscription CliJobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n": types.CliJobLogsDocument,
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
export function graphql(source: "\n  mutation CliLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        username\n        role\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CliLogin($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      user {\n        username\n        role\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliMe {\n    me {\n      username\n      role\n    }\n  }\n"): (typeof documents)["\n  query CliMe {\n    me {\n      username\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CliJobFields on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    exitCode\n    signal\n    error\n    timeoutSeconds\n    sandbox\n    image\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      username\n    }\n    worker {\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment CliJobFields on Job {\n    id\n    command\n    args\n    status\n    attempt\n    maxAttempts\n    priority\n    requirements\n    exitCode\n    signal\n    error\n    timeoutSeconds\n    sandbox\n    image\n    queuedAt\n    startedAt\n    finishedAt\n    cancelRequestedAt\n    logBytes\n    logTruncated\n    createdBy {\n      username\n    }\n    worker {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliCreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...CliJobFields\n    }\n  }\n"): (typeof documents)["\n  mutation CliCreateJob($input: CreateJobInput!) {\n    createJob(input: $input) {\n      ...CliJobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliJob($id: ID!) {\n    job(id: $id) {\n      ...CliJobFields\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n"): (typeof documents)["\n  query CliJob($id: ID!) {\n    job(id: $id) {\n      ...CliJobFields\n      env {\n        name\n        value\n        secret\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliJobLogsPage($id: ID!, $attempt: Int, $afterSeq: Int, $limit: Int) {\n    job(id: $id) {\n      id\n      attempt\n      status\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n"): (typeof documents)["\n  query CliJobLogsPage($id: ID!, $attempt: Int, $afterSeq: Int, $limit: Int) {\n    job(id: $id) {\n      id\n      attempt\n      status\n      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliJobs($status: [JobStatus!], $first: Int) {\n    jobs(status: $status, first: $first) {\n      edges {\n        node {\n          ...CliJobFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CliJobs($status: [JobStatus!], $first: Int) {\n    jobs(status: $status, first: $first) {\n      edges {\n        node {\n          ...CliJobFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliCancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n"): (typeof documents)["\n  mutation CliCancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliRetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n"): (typeof documents)["\n  mutation CliRetryJob($id: ID!) {\n    retryJob(id: $id) {\n      ...CliJobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliWorkers($status: [WorkerStatus!]) {\n    workers(status: $status) {\n      id\n      name\n      hostname\n      labels\n      capacity\n      running\n      status\n      version\n      lastHeartbeatAt\n      tokenName\n    }\n  }\n"): (typeof documents)["\n  query CliWorkers($status: [WorkerStatus!]) {\n    workers(status: $status) {\n      id\n      name\n      hostname\n      labels\n      capacity\n      running\n      status\n      version\n      lastHeartbeatAt\n      tokenName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CliJobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...CliJobFields\n    }\n  }\n"): (typeof documents)["\n  subscription CliJobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...CliJobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CliJobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CliJobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {\n    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {\n      chunks {\n        attempt\n        seq\n        stream\n        data\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;