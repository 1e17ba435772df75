import { index, modelOptions, prop, Severity } from '@typegoose/typegoose';
import { Types } from 'mongoose';

/** Every admin action: who did what to which target, and when. */
@index({ at: -1 })
@index({ actorId: 1, at: -1 })
@modelOptions({ schemaOptions: { collection: 'auditLog' }, options: { allowMixed: Severity.ALLOW } })
export class AuditEntry {
  @prop({ type: Types.ObjectId, required: true })
  actorId!: Types.ObjectId;

  @prop({ type: String, required: true })
  action!: string;

  @prop({ type: String })
  targetId?: string;

  /** Never secrets: callers pass only non-sensitive facts. */
  @prop({ type: () => Object })
  details?: Record<string, unknown>;

  @prop({ type: Date, required: true, default: () => new Date() })
  at!: Date;
}
