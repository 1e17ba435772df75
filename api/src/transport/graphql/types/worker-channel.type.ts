import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AssignmentKind, LogStream, SandboxKind } from '../../../domain/enums';
import { Job } from '../../../storage/models';

@InputType()
export class JobAttemptInput {
  @Field(() => ID)
  jobId!: string;

  @Field(() => Int)
  attempt!: number;
}

@InputType()
export class RegisterWorkerInput {
  @Field(() => String, { nullable: true, description: "default: the worker token's name" })
  name?: string | null;

  @Field(() => String, { nullable: true })
  hostname?: string;

  @Field(() => [String], { nullable: true })
  labels?: string[];

  @Field(() => Int)
  capacity!: number;

  @Field(() => String, { nullable: true })
  version?: string;

  @Field(() => [SandboxKind], { nullable: true })
  sandboxes?: SandboxKind[];

  @Field(() => [JobAttemptInput], { nullable: true, description: 'attempts still running after a reconnect' })
  runningJobs?: JobAttemptInput[];

  @Field(() => String, {
    nullable: true,
    description: "per agent process: the same process reconnecting keeps its worker; another live agent on the token under the same name makes this one name-2, name-3…",
  })
  instanceId?: string;
}

@InputType()
export class LogChunkInput {
  @Field(() => Int)
  seq!: number;

  @Field(() => LogStream)
  stream!: LogStream;

  @Field(() => String)
  data!: string;

  @Field(() => Date, { nullable: true })
  at?: Date;
}

@InputType()
export class JobResultInput {
  @Field(() => Int, { nullable: true })
  exitCode?: number;

  @Field(() => String, { nullable: true })
  signal?: string;

  @Field(() => String, { nullable: true, description: 'platform-side failure (spawn error, limit exceeded)' })
  error?: string;

  @Field(() => Boolean, { nullable: true, description: 'the process was stopped because of a CANCEL' })
  canceled?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'the process was stopped because timeoutSeconds passed' })
  timedOut?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'the agent stopped the process because it shut down: the attempt is requeued, not failed' })
  agentShutdown?: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'sent instead of a startJob when the process ended before its start was reported: how long it ran (ms, spawn to exit); the attempt is recorded as started that long before it finished',
  })
  ranForMs?: number;
}

@InputType({ description: 'one attempt\'s result, in a completeJobs batch' })
export class JobCompletionInput extends JobAttemptInput {
  @Field(() => JobResultInput)
  result!: JobResultInput;
}

@ObjectType()
export class JobAttempt {
  @Field(() => ID)
  jobId!: string;

  @Field(() => Int)
  attempt!: number;
}

/**
 * The fields every batch mutation's per-attempt answer has (no field returns this type, so the
 * schema never shows it). Each report declares its own `code`: the description names the single
 * mutation whose error code it repeats.
 */
@ObjectType()
abstract class AttemptOutcome extends JobAttempt {
  @Field(() => Boolean)
  accepted!: boolean;

  @Field(() => String, { nullable: true, description: 'refused: why' })
  message?: string;
}

@ObjectType({ description: 'What became of one attempt of a startJobs/completeJobs batch: each is accepted or refused alone.' })
export class AttemptReport extends AttemptOutcome {
  @Field(() => Job, { nullable: true, description: 'accepted: the job as it now is' })
  job?: Job;

  @Field(() => String, { nullable: true, description: 'refused: the error code the single mutation would have given (CONFLICT: this attempt no longer holds the lease)' })
  code?: string;
}

@InputType({ description: "one attempt's chunks, in an appendLogsBatch call" })
export class AttemptLogsInput extends JobAttemptInput {
  @Field(() => [LogChunkInput])
  chunks!: LogChunkInput[];
}

@ObjectType({ description: 'What became of one attempt of an appendLogsBatch call: each is accepted or refused alone.' })
export class AppendLogsReport extends AttemptOutcome {
  @Field(() => Int, { nullable: true, description: 'accepted: highest seq stored so far for this attempt with no gap below it' })
  ackedSeq?: number;

  @Field(() => Boolean, { nullable: true, description: 'accepted: the per-job log cap was reached; further output is dropped' })
  truncated?: boolean;

  @Field(() => String, { nullable: true, description: 'refused: the error code appendLogs would have given (CONFLICT: this attempt no longer holds the lease)' })
  code?: string;
}

@ObjectType()
export class HeartbeatResult {
  @Field(() => Date)
  leaseExpiresAt!: Date;

  @Field(() => [JobAttempt], { description: 'attempts the worker listed that no longer hold a lease: stop them, report nothing' })
  lost!: JobAttempt[];

  @Field(() => [JobAttempt], { description: 'attempts whose cancel was requested (also sent as CANCEL events)' })
  cancel!: JobAttempt[];
}

@ObjectType()
export class AppendLogsResult {
  @Field(() => Int, { description: 'highest seq stored so far for this attempt with no gap below it' })
  ackedSeq!: number;

  @Field(() => Boolean, { description: 'the per-job log cap was reached; further output is dropped' })
  truncated!: boolean;
}

@ObjectType({ description: 'Secret values included: sent only to the worker the job is assigned to.' })
export class AssignedEnvVar {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;

  @Field(() => Boolean)
  secret!: boolean;
}

@ObjectType()
export class Assignment {
  @Field(() => AssignmentKind)
  kind!: AssignmentKind;

  @Field(() => ID)
  jobId!: string;

  @Field(() => Int)
  attempt!: number;

  @Field(() => Job, { nullable: true, description: 'ASSIGN only' })
  job?: Job;

  @Field(() => [AssignedEnvVar], { nullable: true, description: "ASSIGN only: the job's environment with secret values" })
  env?: AssignedEnvVar[];

  @Field(() => Date, {
    nullable: true,
    description: 'ASSIGN only: when the lease of this assignment runs out unless startJob or a heartbeat renews it',
  })
  leaseExpiresAt?: Date;
}
