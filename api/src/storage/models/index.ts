import { getModelForClass } from '@typegoose/typegoose';
import { AuditEntry } from './audit-log.model';
import { Job } from './job.model';
import { LogChunk } from './job-log.model';
import { User } from './user.model';
import { Worker } from './worker.model';
import { WorkerTokenRecord } from './worker-token.model';

export const UserModel = getModelForClass(User);
export const JobModel = getModelForClass(Job);
export const LogChunkModel = getModelForClass(LogChunk);
export const WorkerModel = getModelForClass(Worker);
export const WorkerTokenModel = getModelForClass(WorkerTokenRecord);
export const AuditEntryModel = getModelForClass(AuditEntry);

export { AuditEntry, Job, LogChunk, User, Worker, WorkerTokenRecord };
