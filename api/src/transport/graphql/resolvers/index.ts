import type { NonEmptyArray } from 'type-graphql';
import { AssignmentsResolver } from './assignments.resolver';
import { AuditResolver } from './audit.resolver';
import { AuthResolver } from './auth.resolver';
import { JobLogsResolver } from './job-logs.resolver';
import { WorkerChannelResolver } from './worker-channel.resolver';
import { EnvVarResolver } from './env-var.resolver';
import { JobResolver } from './job.resolver';
import { JobWaitingResolver } from './job-waiting.resolver';
import { WorkerAdminResolver } from './worker-admin.resolver';
import { UserResolver } from './user.resolver';
import { WorkerTokenResolver } from './worker-token.resolver';
import { WorkerResolver } from './worker.resolver';

/** Every resolver class given to buildSchema. */
export const resolvers: NonEmptyArray<Function> = [
  AuthResolver,
  UserResolver,
  JobResolver,
  EnvVarResolver,
  WorkerResolver,
  WorkerTokenResolver,
  WorkerChannelResolver,
  AssignmentsResolver,
  JobLogsResolver,
  // ---- web: waiting reasons, worker housekeeping ----
  JobWaitingResolver,
  WorkerAdminResolver,
  AuditResolver,
];
