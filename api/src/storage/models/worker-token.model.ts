import { modelOptions, prop } from '@typegoose/typegoose';
import { Types } from 'mongoose';

/** A token replaced by rotation: it keeps working until `validUntil` (the grace period). */
export class RetiredTokenHash {
  @prop({ type: String, required: true })
  hash!: string;

  @prop({ type: Date, required: true })
  validUntil!: Date;
}

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

  /** Earlier tokens of this record still inside their rotation grace period. */
  @prop({ type: () => [RetiredTokenHash], default: [], _id: false })
  retired!: RetiredTokenHash[];

  @prop({ type: Date })
  expiresAt?: Date;

  /** Lifetime given at creation; a rotated token gets the same one, counted from the rotation. */
  @prop({ type: Number })
  expiresInDays?: number;

  @prop({ type: Date })
  revokedAt?: Date;

  @prop({ type: Date })
  rotatedAt?: Date;

  /** When a worker last authenticated with it (kept to the minute). */
  @prop({ type: Date })
  lastUsedAt?: Date;

  @prop({ type: Types.ObjectId, required: true })
  createdById!: Types.ObjectId;

  readonly createdAt!: Date;
}
