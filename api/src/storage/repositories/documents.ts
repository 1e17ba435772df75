import type { DocumentType } from '@typegoose/typegoose';
import type { Types } from 'mongoose';
import type { Job, User, Worker } from '../models';

/**
 * The document types services pass around, declared once.
 *
 * A job is its fields, `_id` and `id`: a mongoose document is one, and so is what the hot-path
 * writes return unhydrated (see applyTransition in job-lease.repository).
 */
export type JobDoc = Job & { _id: Types.ObjectId; id: string };
export type WorkerDoc = DocumentType<Worker>;
export type UserDoc = DocumentType<User>;
