import type { Types } from 'mongoose';
import { AuditEntryModel, type AuditEntry } from '../models';

export async function insertAuditEntry(entry: { actorId: Types.ObjectId; action: string; targetId?: string; details?: Record<string, unknown>; at: Date }): Promise<void> {
  await AuditEntryModel.create(entry);
}

/** The newest entries first. */
export async function listAuditEntries(limit: number): Promise<AuditEntry[]> {
  return AuditEntryModel.find().sort({ at: -1 }).limit(limit).lean<AuditEntry[]>().exec();
}
