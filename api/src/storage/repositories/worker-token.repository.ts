import { Types } from 'mongoose';
import { WorkerTokenModel, type WorkerTokenRecord } from '../models';
import type { Id } from './ids';

export interface NewWorkerToken {
  _id: Types.ObjectId;
  name: string;
  labels: string[];
  tokenHash: string;
  expiresAt?: Date;
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

/** The record of a token by its id and hash (both must match), as plain data. */
export async function findWorkerToken(id: Id, tokenHash: string): Promise<WorkerTokenRecord | null> {
  return WorkerTokenModel.findOne({ _id: id, tokenHash }).lean<WorkerTokenRecord>().exec();
}

/** A token's name, or null when its record is gone. */
export async function findWorkerTokenName(id: Id): Promise<string | null> {
  const token = await WorkerTokenModel.findById(id).select({ name: 1 }).lean<{ name: string }>().exec();
  return token?.name ?? null;
}
