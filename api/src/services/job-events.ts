import type { DocumentType } from '@typegoose/typegoose';
import { Job, JobModel, Worker, WorkerModel } from '../storage/models';
import type { PubSubPort } from '../storage/pubsub';
import { Topics } from '../storage/pubsub';

export type JobDoc = DocumentType<Job>;
export type WorkerDoc = DocumentType<Worker>;

/** The JSON a job change travels as (virtuals included, so `id` is there). */
export type JobPayload = Record<string, unknown> & { id: string; createdById: string };

/**
 * Every job change, to the all-jobs topic and the job's own topic. Subscribers decide who may
 * see it; secret env values are in the payload only inside our own Redis, never sent out as is
 * (the EnvVar.value field resolver masks them).
 */
export async function publishJobUpdated(pubsub: PubSubPort, job: JobDoc): Promise<void> {
  const payload = job.toObject({ virtuals: true });
  await Promise.all([pubsub.publish(Topics.JOB_UPDATED, payload), pubsub.publish(Topics.jobUpdated(job.id), payload)]);
}

/** The payload a subscriber would receive for `job` over pub/sub (its JSON form). */
export function toJobPayload(job: JobDoc): JobPayload {
  return JSON.parse(JSON.stringify(job.toObject({ virtuals: true }))) as JobPayload;
}

/** A payload back into a document, so Dates and ObjectIds are typed again. */
export function reviveJob(payload: unknown): JobDoc {
  return JobModel.hydrate(withoutVirtualId(payload)) as JobDoc;
}

export async function publishWorkerUpdated(pubsub: PubSubPort, worker: WorkerDoc): Promise<void> {
  await pubsub.publish(Topics.WORKER_UPDATED, worker.toObject({ virtuals: true }));
}

export function reviveWorker(payload: unknown): WorkerDoc {
  return WorkerModel.hydrate(withoutVirtualId(payload)) as WorkerDoc;
}

/** `id` is a virtual (derived from `_id`); hydrate must not see it as a path. */
function withoutVirtualId(payload: unknown): object {
  const { id: _id, ...rest } = payload as Record<string, unknown>;
  return rest;
}
