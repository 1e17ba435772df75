/** Every pub/sub topic name, built here so publishers and subscribers cannot drift apart. */
export const Topics = {
  /** Every job change (subscribers filter by what the caller may see). */
  JOB_UPDATED: 'JOB_UPDATED',
  jobUpdated: (jobId: string): string => `JOB_UPDATED:${jobId}`,
  WORKER_UPDATED: 'WORKER_UPDATED',
  jobLogs: (jobId: string): string => `JOB_LOGS:${jobId}`,
  workerAssignments: (workerId: string): string => `WORKER_ASSIGNMENTS:${workerId}`,
  /** A job became claimable: replicas holding idle workers try to dispatch. */
  DISPATCH_WAKE: 'DISPATCH_WAKE',
  /** A worker token was revoked: replicas close that worker's sockets. */
  WORKER_TOKEN_REVOKED: 'WORKER_TOKEN_REVOKED',
  /** A worker token was rotated: sockets opened with the old one close when its grace ends. */
  WORKER_TOKEN_ROTATED: 'WORKER_TOKEN_ROTATED',
  /** A user's role, enabled state or sessions changed: replicas drop its cached status and close its sockets. */
  USER_ACCESS_CHANGED: 'USER_ACCESS_CHANGED',
} as const;
