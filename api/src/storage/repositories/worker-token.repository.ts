import { Types } from 'mongoose';
import { WorkerTokenModel, type WorkerTokenRecord } from '../models';
import type { Id } from './ids';

export interface NewWorkerToken {
  _id: Types.ObjectId;
  name: string;
  labels: string[];
  tokenHash: string;
  expiresAt?: Date;
  expiresInDays?: number;
  createdById: Types.ObjectId;
}

export async function insertWorkerToken(fields: NewWorkerToken): Promise<void> {
  await WorkerTokenModel.create(fields);
}

export async function workerTokenExists(id: Id): Promise<boolean> {
  return (await WorkerTokenModel.exists({ _id: id }).exec()) !== null;
}

/** Revokes the token; true when this call did it, false when it was revoked already. */
export async function revokeWorkerToken(id: Id, at: Date): Promise<boolean> {
  const res = await WorkerTokenModel.updateOne({ _id: id, revokedAt: { $exists: false } }, { $set: { revokedAt: at } }).exec();
  return res.modifiedCount === 1;
}

/** The record a token belongs to, by id and the hash of the current or a retired token. */
export async function findWorkerToken(id: Id, tokenHash: string): Promise<WorkerTokenRecord | null> {
  return WorkerTokenModel.findOne({ _id: id, $or: [{ tokenHash }, { 'retired.hash': tokenHash }] })
    .lean<WorkerTokenRecord>()
    .exec();
}

export async function findWorkerTokenById(id: Id): Promise<WorkerTokenRecord | null> {
  return WorkerTokenModel.findById(id).lean<WorkerTokenRecord>().exec();
}

/**
 * Replaces the current token, as one conditional update: it applies only while `fromHash` is
 * still current and the token is not revoked, so two rotations cannot both win.
 */
export async function rotateWorkerTokenHash(
  id: Id,
  fromHash: string,
  next: { tokenHash: string; expiresAt?: Date; retired: Array<{ hash: string; validUntil: Date }>; at: Date },
): Promise<boolean> {
  const res = await WorkerTokenModel.updateOne(
    { _id: id, tokenHash: fromHash, revokedAt: { $exists: false } },
    next.expiresAt
      ? { $set: { tokenHash: next.tokenHash, expiresAt: next.expiresAt, retired: next.retired, rotatedAt: next.at } }
      : { $set: { tokenHash: next.tokenHash, retired: next.retired, rotatedAt: next.at }, $unset: { expiresAt: 1 } },
  ).exec();
  return res.modifiedCount === 1;
}

/** Records use at most once per `every` ms per token (a worker calls many times a second). */
export async function touchWorkerToken(id: Id, at: Date, everyMs: number): Promise<void> {
  await WorkerTokenModel.updateOne(
    { _id: id, $or: [{ lastUsedAt: { $exists: false } }, { lastUsedAt: { $lt: new Date(at.getTime() - everyMs) } }] },
    { $set: { lastUsedAt: at } },
    { timestamps: false },
  ).exec();
}

/** Every token, newest first (at most `limit`). */
export async function listWorkerTokens(limit: number): Promise<WorkerTokenRecord[]> {
  return WorkerTokenModel.find().sort({ createdAt: -1, _id: -1 }).limit(limit).lean<WorkerTokenRecord[]>().exec();
}

/** A token's name, or null when its record is gone. */
export async function findWorkerTokenName(id: Id): Promise<string | null> {
  const token = await WorkerTokenModel.findById(id).select({ name: 1 }).lean<{ name: string }>().exec();
  return token?.name ?? null;
}
