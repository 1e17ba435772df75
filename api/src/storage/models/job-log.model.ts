import { index, modelOptions, prop } from '@typegoose/typegoose';
import { Types } from 'mongoose';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { LogStream } from '../../domain/enums';

/** One numbered chunk of one attempt's output. A resent chunk hits the unique index and is acknowledged, not stored twice. */
@index({ jobId: 1, attempt: 1, seq: 1 }, { unique: true })
@ObjectType({ description: 'seq numbers chunks within one attempt, from 1, gap-free' })
@modelOptions({ schemaOptions: { collection: 'jobLogs' } })
export class LogChunk {
  @Field(() => ID)
  @prop({ type: Types.ObjectId, required: true })
  jobId!: Types.ObjectId;

  @Field(() => Int)
  @prop({ type: Number, required: true })
  attempt!: number;

  @Field(() => Int)
  @prop({ type: Number, required: true })
  seq!: number;

  @Field(() => LogStream)
  @prop({ enum: LogStream, type: String, required: true })
  stream!: LogStream;

  /**
   * Stored as UTF-8 bytes (BinData) by the log repository, which reads it back as text; rows
   * written before are strings. Declared as a String so a mongoose document reads either as text.
   */
  @Field(() => String)
  @prop({ type: String, required: true, default: '' })
  data!: string;

  @Field(() => Date)
  @prop({ type: Date, required: true, default: () => new Date() })
  at!: Date;
}
