import { index, modelOptions, prop, Severity } from '@typegoose/typegoose';
import { Types } from 'mongoose';

/** Every audited action: who did what to which target, when, and from which address. */
@index({ at: -1, _id: -1 })
@index({ actorId: 1, at: -1 })
@index({ actorName: 1, at: -1 })
@index({ action: 1, at: -1 })
@modelOptions({ schemaOptions: { collection: 'auditLog' }, options: { allowMixed: Severity.ALLOW } })
export class AuditEntry {
  /** Absent when nobody known acted (a failed sign-in with an unknown username). */
  @prop({ type: Types.ObjectId })
  actorId?: Types.ObjectId;

  /** The actor's username at the time (or the username a failed sign-in gave). */
  @prop({ type: String })
  actorName?: string;

  @prop({ type: String, required: true })
  action!: string;

  @prop({ type: String })
  targetId?: string;

  /** Never secrets: callers pass only non-sensitive facts. */
  @prop({ type: () => Object })
  details?: Record<string, unknown>;

  /** The caller's address (TRUST_PROXY applied); absent for actions outside a request (command line). */
  @prop({ type: String })
  sourceAddress?: string;

  @prop({ type: Date, required: true, default: () => new Date() })
  at!: Date;
}
