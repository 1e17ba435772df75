import type { Types } from 'mongoose';

/** A document id as callers hold it: an ObjectId, or its hex string (mongoose casts). */
export type Id = Types.ObjectId | string;
