import { Types } from 'mongoose';

/** A document id as callers hold it: an ObjectId, or its hex string (mongoose casts). */
export type Id = Types.ObjectId | string;

/** An id as the driver takes it, for the calls that skip mongoose's casting. */
export function asObjectId(id: unknown): Types.ObjectId {
  return id instanceof Types.ObjectId ? id : new Types.ObjectId(String(id));
}
