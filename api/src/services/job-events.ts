import type { Schema } from 'mongoose';
import { Job, JobModel, Worker, WorkerModel } from '../storage/models';
import type { PubSubPort } from '../storage/pubsub';
import { Topics } from '../storage/pubsub';
import type { JobDoc, WorkerDoc } from '../storage/repositories/documents';

/** The JSON a job change travels as (virtuals included, so `id` is there). */
export type JobPayload = Record<string, unknown> & { id: string; createdById: string };

/**
 * Every job change, to the all-jobs topic and the job's own topic. Subscribers decide who may
 * see it. Secret env values are not in the payload: an event reaches every subscriber and
 * travels through Redis, and the worker that runs the job gets them with its assignment only.
 */
export async function publishJobUpdated(pubsub: PubSubPort, job: JobDoc): Promise<void> {
  const payload = plainJob(job);
  await Promise.all([pubsub.publish(Topics.JOB_UPDATED, payload), pubsub.publish(Topics.jobUpdated(job.id), payload)]);
}

/** The payload a subscriber would receive for `job` over pub/sub (its JSON form). */
export function toJobPayload(job: JobDoc): JobPayload {
  return JSON.parse(JSON.stringify(plainJob(job))) as JobPayload;
}

/** A job's data with `id` (a mongoose document's plain form, or the plain job), secret env values left out. */
function plainJob(job: JobDoc): object {
  const doc = job as JobDoc & { toObject?: (opts: { virtuals: boolean }) => object };
  const plain = (typeof doc.toObject === 'function' ? doc.toObject({ virtuals: true }) : job) as { env?: Array<{ secret?: boolean }> };
  if (!Array.isArray(plain.env) || !plain.env.some((e) => e.secret)) return plain;
  return { ...plain, env: plain.env.map((e) => (e.secret ? { ...e, value: null } : e)) };
}

/**
 * A payload back into what the GraphQL types read: its Dates typed again. Not a mongoose
 * document — hydrating one per event and subscriber cost as much as the write that caused the
 * event — but the same fields, `id` included; ids stay strings, which the field resolvers
 * take as they are.
 */
export function reviveJob(payload: unknown): Job & { id: string } {
  return reviveDates(payload, JOB_DATE_PATHS) as unknown as Job & { id: string };
}

export async function publishWorkerUpdated(pubsub: PubSubPort, worker: WorkerDoc): Promise<void> {
  await pubsub.publish(Topics.WORKER_UPDATED, worker.toObject({ virtuals: true }));
}

export function reviveWorker(payload: unknown): Worker & { id: string } {
  return reviveDates(payload, WORKER_DATE_PATHS) as unknown as Worker & { id: string };
}

/** Top-level Date paths of a schema (payloads carry them as ISO strings). */
function datePaths(schema: Schema): string[] {
  const paths: string[] = [];
  schema.eachPath((p, type) => {
    if (type.instance === 'Date' && !p.includes('.')) paths.push(p);
  });
  return paths;
}

const JOB_DATE_PATHS = datePaths(JobModel.schema);
const WORKER_DATE_PATHS = datePaths(WorkerModel.schema);

function reviveDates(payload: unknown, paths: readonly string[]): Record<string, unknown> {
  const out = { ...(payload as Record<string, unknown>) };
  for (const p of paths) {
    const v = out[p];
    if (typeof v === 'string') out[p] = new Date(v);
  }
  return out;
}
