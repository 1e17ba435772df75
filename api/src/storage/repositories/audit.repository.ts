import type { QueryFilter, Types } from 'mongoose';
import { AuditEntryModel, type AuditEntry } from '../models';

export type AuditEntryDoc = AuditEntry & { _id: Types.ObjectId };

export async function insertAuditEntry(entry: Omit<AuditEntry, 'at'> & { at: Date }): Promise<void> {
  await AuditEntryModel.create(entry);
}

export interface AuditListQuery {
  action?: string;
  /** entries whose actor has this username or this id */
  actor?: { name: string; id?: Types.ObjectId };
  /** strictly after this position in newest-first (at, _id) order */
  after?: { at: Date; id: Types.ObjectId };
  limit: number;
}

/** Newest first by (at, _id): a stable total order, so pages never repeat or skip an entry. */
export async function listAuditEntries(q: AuditListQuery): Promise<AuditEntryDoc[]> {
  const and: Array<QueryFilter<AuditEntry>> = [];
  if (q.action) and.push({ action: q.action });
  if (q.actor) and.push(q.actor.id ? { $or: [{ actorName: q.actor.name }, { actorId: q.actor.id }] } : { actorName: q.actor.name });
  if (q.after) and.push({ $or: [{ at: { $lt: q.after.at } }, { at: q.after.at, _id: { $lt: q.after.id } }] });
  const filter: QueryFilter<AuditEntry> = and.length > 0 ? { $and: and } : {};
  return AuditEntryModel.find(filter).sort({ at: -1, _id: -1 }).limit(q.limit).lean<AuditEntryDoc[]>().exec();
}
