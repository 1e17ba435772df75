/**
 * Every GraphQL operation the CLI sends. `graphql()` is codegen's typed-document function
 * (cli/src/gql, from schema/schema.graphql): a schema change that breaks one of these fails
 * `npx graphql-codegen` and the typecheck, not a user's terminal.
 */
import { graphql } from '../gql';

export const LoginDocument = graphql(`
  mutation CliLogin($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      user {
        username
        role
      }
    }
  }
`);

export const MeDocument = graphql(`
  query CliMe {
    me {
      username
      role
    }
  }
`);

export const JobFieldsFragment = graphql(`
  fragment CliJobFields on Job {
    id
    command
    args
    status
    attempt
    maxAttempts
    priority
    requirements
    exitCode
    signal
    error
    timeoutSeconds
    sandbox
    image
    queuedAt
    startedAt
    finishedAt
    cancelRequestedAt
    logBytes
    logTruncated
    createdBy {
      username
    }
    worker {
      name
    }
  }
`);

export const CreateJobDocument = graphql(`
  mutation CliCreateJob($input: CreateJobInput!) {
    createJob(input: $input) {
      ...CliJobFields
    }
  }
`);

export const JobDocument = graphql(`
  query CliJob($id: ID!) {
    job(id: $id) {
      ...CliJobFields
      env {
        name
        value
        secret
      }
    }
  }
`);

export const JobLogsPageDocument = graphql(`
  query CliJobLogsPage($id: ID!, $attempt: Int, $afterSeq: Int, $limit: Int) {
    job(id: $id) {
      id
      attempt
      status
      logs(attempt: $attempt, afterSeq: $afterSeq, limit: $limit) {
        attempt
        seq
        stream
        data
      }
    }
  }
`);

export const JobsDocument = graphql(`
  query CliJobs($status: [JobStatus!], $first: Int) {
    jobs(status: $status, first: $first) {
      edges {
        node {
          ...CliJobFields
        }
      }
    }
  }
`);

export const CancelJobDocument = graphql(`
  mutation CliCancelJob($id: ID!) {
    cancelJob(id: $id) {
      ...CliJobFields
    }
  }
`);

export const RetryJobDocument = graphql(`
  mutation CliRetryJob($id: ID!) {
    retryJob(id: $id) {
      ...CliJobFields
    }
  }
`);

export const WorkersDocument = graphql(`
  query CliWorkers($status: [WorkerStatus!]) {
    workers(status: $status) {
      id
      name
      hostname
      labels
      capacity
      running
      status
      version
      lastHeartbeatAt
      tokenName
    }
  }
`);

export const JobUpdatedDocument = graphql(`
  subscription CliJobUpdated($id: ID!) {
    jobUpdated(id: $id) {
      ...CliJobFields
    }
  }
`);

export const JobLogsDocument = graphql(`
  subscription CliJobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {
    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {
      chunks {
        attempt
        seq
        stream
        data
      }
    }
  }
`);
