import { graphql } from '../gql';

/** What the list and the job header show; shared so live updates carry the same fields. */
export const JobSummaryFragment = graphql(`
  fragment JobSummary on Job {
    id
    command
    args
    status
    attempt
    maxAttempts
    priority
    requirements
    waitingReason
    exitCode
    signal
    error
    queuedAt
    startedAt
    finishedAt
    cancelRequestedAt
    logBytes
    logTruncated
    createdBy {
      id
      username
    }
    worker {
      id
      name
    }
  }
`);
