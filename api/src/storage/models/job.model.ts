import { index, modelOptions, pre, prop, Severity } from '@typegoose/typegoose';
import { Types } from 'mongoose';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { claimKeyOf } from '../../domain/claim-key';
import { AttemptEndReason, JobStatus, SandboxKind } from '../../domain/enums';

@ObjectType({ description: 'value is null when secret' })
export class EnvVar {
  @Field(() => String)
  @prop({ type: String, required: true })
  name!: string;

  /** Stored in full (the worker needs it); the GraphQL field resolver hides secret values. */
  @Field(() => String, { nullable: true })
  // Not `required`: mongoose's required rejects '', and an empty value is a valid variable.
  @prop({ type: String, default: '' })
  value!: string;

  @Field(() => Boolean)
  @prop({ type: Boolean, required: true, default: false })
  secret!: boolean;
}

@ObjectType({ description: "Per-job resource limits (sandboxed jobs); a job may only lower the agent's limits." })
export class JobLimits {
  @Field(() => Int, { nullable: true })
  @prop({ type: Number })
  memoryMb?: number;

  @Field(() => Int, { nullable: true })
  @prop({ type: Number })
  pids?: number;

  @Field(() => Int, { nullable: true })
  @prop({ type: Number })
  cpuSeconds?: number;

  @Field(() => Int, { nullable: true })
  @prop({ type: Number })
  fileSizeMb?: number;
}

@ObjectType({ description: 'One ended attempt of a job: who ran it, when, and why it ended.' })
export class AttemptRecord {
  @Field(() => Int)
  @prop({ type: Number, required: true })
  attempt!: number;

  @Field(() => ID, { nullable: true, description: 'the worker that held it' })
  @prop({ type: Types.ObjectId })
  workerId?: Types.ObjectId;

  @Field(() => Date, { nullable: true })
  @prop({ type: Date })
  startedAt?: Date;

  @Field(() => Date)
  @prop({ type: Date, required: true })
  endedAt!: Date;

  @Field(() => JobStatus, { description: 'the job\'s status right after this attempt ended (QUEUED: retried)' })
  @prop({ enum: JobStatus, type: String, required: true })
  status!: JobStatus;

  @Field(() => AttemptEndReason)
  @prop({ enum: AttemptEndReason, type: String, required: true })
  endReason!: AttemptEndReason;
}

// Claim: the best QUEUED job by priority then queue time; of the kinds a worker may run (claim-key.ts).
@index({ status: 1, priority: -1, queuedAt: 1 })
@index({ status: 1, claimKey: 1, priority: -1, queuedAt: 1 })
// Lists: a user's jobs (optionally by status), newest first; admins: all jobs newest first.
@index({ createdById: 1, status: 1, createdAt: -1, _id: -1 })
@index({ createdById: 1, createdAt: -1, _id: -1 })
@index({ createdAt: -1, _id: -1 })
// Sweeper: leases that lapsed, and a worker's leased jobs.
@index({ status: 1, leaseExpiresAt: 1 })
@index({ workerId: 1, status: 1 })
// Catch-up: the jobs changed since a time, for subscribers whose live events were lost (an outage).
@index({ updatedAt: 1, _id: 1 })
// Idempotency: one job per (user, key); the service clears keys older than 24 h before reuse.
@index(
  { createdById: 1, idempotencyKey: 1 },
  { unique: true, partialFilterExpression: { idempotencyKey: { $exists: true } } },
)
// A job created through a mongoose document gets its claim key as insertJob gives it one.
@pre<Job>('validate', function () {
  this.claimKey = claimKeyOf(this);
})
@ObjectType()
@modelOptions({ schemaOptions: { collection: 'jobs', timestamps: true }, options: { allowMixed: Severity.ALLOW } })
export class Job {
  @Field(() => ID)
  readonly id!: string;

  @Field(() => String)
  @prop({ type: String, required: true })
  command!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'args given: exec command without a shell; else /bin/sh -c command',
  })
  @prop({ type: () => [String], default: undefined })
  args?: string[];

  @Field(() => [EnvVar])
  @prop({ type: () => [EnvVar], _id: false, default: [] })
  env!: EnvVar[];

  @Field(() => String, { nullable: true })
  @prop({ type: String })
  cwd?: string;

  @Field(() => [String])
  @prop({ type: () => [String], default: [] })
  requirements!: string[];

  /** Requirements and sandbox as one key (domain/claim-key.ts), set at insert; not in the API. */
  @prop({ type: String })
  claimKey?: string;

  @Field(() => Int)
  @prop({ type: Number, required: true, default: 0 })
  priority!: number;

  @Field(() => Int, { nullable: true })
  @prop({ type: Number })
  timeoutSeconds?: number;

  @Field(() => Int)
  @prop({ type: Number, required: true, default: 1 })
  maxAttempts!: number;

  @Field(() => Int)
  @prop({ type: Number, required: true, default: 1 })
  attempt!: number;

  /** Lost attempts retried without using up maxAttempts (LOST_ATTEMPT_RETRIES bounds it). */
  @Field(() => Int, { description: 'attempts lost to the platform (worker lost, agent shut down, lease lapsed) retried without using up maxAttempts' })
  @prop({ type: Number, required: true, default: 0 })
  lostRetries!: number;

  @Field(() => [AttemptRecord], { description: 'ended attempts, oldest first' })
  @prop({ type: () => [AttemptRecord], _id: false, default: [] })
  attempts!: AttemptRecord[];

  @Field(() => JobStatus)
  @prop({ enum: JobStatus, type: String, required: true, default: JobStatus.QUEUED })
  status!: JobStatus;

  @Field(() => Int, { nullable: true })
  @prop({ type: Number })
  exitCode?: number;

  @Field(() => String, { nullable: true })
  @prop({ type: String })
  signal?: string;

  @Field(() => String, {
    nullable: true,
    description: 'why the platform ended it (spawn failure, lost worker, timeout, limit)',
  })
  @prop({ type: String })
  error?: string;

  /** GraphQL `createdBy: User!` is resolved from this. */
  @prop({ type: Types.ObjectId, required: true })
  createdById!: Types.ObjectId;

  /** GraphQL `worker: Worker` is resolved from this. */
  @prop({ type: Types.ObjectId })
  workerId?: Types.ObjectId;

  @Field(() => Date)
  @prop({ type: Date, required: true, default: () => new Date() })
  queuedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'retry backoff: not claimable before this' })
  @prop({ type: Date })
  notBefore?: Date;

  @prop({ type: Date })
  assignedAt?: Date;

  /** The current attempt's lease; renewed by heartbeats, swept when it lapses. */
  @prop({ type: Date })
  leaseExpiresAt?: Date;

  @Field(() => Date, { nullable: true })
  @prop({ type: Date })
  startedAt?: Date;

  @Field(() => Date, { nullable: true })
  @prop({ type: Date })
  finishedAt?: Date;

  @Field(() => Date, { nullable: true })
  @prop({ type: Date })
  cancelRequestedAt?: Date;

  @Field(() => Int)
  @prop({ type: Number, required: true, default: 0 })
  logBytes!: number;

  @Field(() => Boolean)
  @prop({ type: Boolean, required: true, default: false })
  logTruncated!: boolean;

  @Field(() => SandboxKind, {
    nullable: true,
    description: "sandbox the job asks for (null: the worker's default); it may only narrow",
  })
  @prop({ enum: SandboxKind, type: String })
  sandbox?: SandboxKind;

  @Field(() => String, { nullable: true, description: 'docker image (sandbox DOCKER)' })
  @prop({ type: String })
  image?: string;

  @Field(() => JobLimits, { nullable: true })
  @prop({ type: () => JobLimits, _id: false })
  limits?: JobLimits;

  @prop({ type: String })
  idempotencyKey?: string;

  @Field(() => Date)
  readonly createdAt!: Date;

  readonly updatedAt!: Date;
}
