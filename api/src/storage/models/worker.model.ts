import { index, modelOptions, prop } from '@typegoose/typegoose';
import { Types } from 'mongoose';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { SandboxKind, WorkerStatus } from '../../domain/enums';

/** A worker is one agent on one token: (token, name) is unique; re-registering updates it. */
@index({ tokenId: 1, name: 1 }, { unique: true })
@index({ tokenId: 1, agentInstanceId: 1 })
@index({ status: 1, lastHeartbeatAt: 1 })
// Dispatch reads the workers connected to one replica at once (findWorkerFactsOn).
@index({ instanceId: 1 })
@ObjectType()
@modelOptions({ schemaOptions: { collection: 'workers', timestamps: true } })
export class Worker {
  @Field(() => ID)
  readonly id!: string;

  @Field(() => String)
  @prop({ type: String, required: true })
  name!: string;

  @Field(() => String, { nullable: true })
  @prop({ type: String })
  hostname?: string;

  @Field(() => [String])
  @prop({ type: () => [String], default: [] })
  labels!: string[];

  @Field(() => Int)
  @prop({ type: Number, required: true, default: 1 })
  capacity!: number;

  /** Leased jobs (ASSIGNED or RUNNING) on this worker, kept by the dispatcher. */
  @Field(() => Int)
  @prop({ type: Number, required: true, default: 0 })
  running!: number;

  @Field(() => WorkerStatus)
  @prop({ enum: WorkerStatus, type: String, required: true, default: WorkerStatus.ONLINE })
  status!: WorkerStatus;

  @Field(() => String, { nullable: true })
  @prop({ type: String })
  version?: string;

  @Field(() => [SandboxKind])
  @prop({ type: () => [String], enum: SandboxKind, default: [SandboxKind.NONE] })
  sandboxes!: SandboxKind[];

  @Field(() => Date, { nullable: true })
  @prop({ type: Date })
  lastHeartbeatAt?: Date;

  @prop({ type: Types.ObjectId, required: true })
  tokenId!: Types.ObjectId;

  /** The agent process holding this identity (a per-process id the agent sends). */
  @prop({ type: String })
  agentInstanceId?: string;

  /** The API replica holding this worker's assignments subscription. */
  @prop({ type: String })
  instanceId?: string;

  @Field(() => Int, { description: 'lease settings the worker must honour (returned by registerWorker)' })
  leaseSeconds!: number;

  @Field(() => Int)
  heartbeatIntervalSeconds!: number;

  readonly createdAt!: Date;
  readonly updatedAt!: Date;
}
