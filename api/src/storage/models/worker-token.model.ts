import { modelOptions, prop } from '@typegoose/typegoose';
import { Types } from 'mongoose';

/** A worker credential. Only the token's SHA-256 is stored; the token itself is shown once. */
@modelOptions({ schemaOptions: { collection: 'workerTokens', timestamps: true } })
export class WorkerTokenRecord {
  readonly _id!: Types.ObjectId;

  @prop({ type: String, required: true })
  name!: string;

  @prop({ type: () => [String], default: [] })
  labels!: string[];

  @prop({ type: String, required: true, unique: true })
  tokenHash!: string;

  @prop({ type: Date })
  expiresAt?: Date;

  @prop({ type: Date })
  revokedAt?: Date;

  @prop({ type: Types.ObjectId, required: true })
  createdById!: Types.ObjectId;

  readonly createdAt!: Date;
}
