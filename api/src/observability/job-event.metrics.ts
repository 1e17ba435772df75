import { Counter, Histogram, type Registry } from 'prom-client';
import { JobStatus, TERMINAL_JOB_STATUSES } from '../domain/enums';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600];
/** Remembers this many (job, attempt, status) events, so a job published again in the same status is not counted twice. */
const SEEN_LIMIT = 50_000;

/**
 * Job metrics from the job-change events this replica publishes. Every state transition is
 * one conditional update made (and published) by exactly one replica, so each replica counts
 * its own and the sum across replicas is the whole.
 */
export class JobEventMetrics {
  private readonly finished: Counter<'status'>;
  private readonly queueWait: Histogram;
  private readonly duration: Histogram<'status'>;
  private readonly dispatchLatency: Histogram;
  private readonly logBytes: Counter;
  private readonly seen = new Map<string, true>();

  constructor(registry: Registry) {
    this.finished = new Counter({
      name: 'cmd_executor_jobs_total',
      help: 'Jobs that ended, by terminal status (each attempt that ends the job counts once)',
      labelNames: ['status'],
      registers: [registry],
    });
    for (const status of TERMINAL_JOB_STATUSES) this.finished.inc({ status }, 0);
    this.queueWait = new Histogram({
      name: 'cmd_executor_queue_wait_seconds',
      help: 'Time from queued to started (RUNNING), per attempt',
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'cmd_executor_job_duration_seconds',
      help: 'Time from started to finished, by terminal status',
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    this.dispatchLatency = new Histogram({
      name: 'cmd_executor_dispatch_latency_seconds',
      help: 'Time from queued to assigned to a worker, per attempt',
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    });
    this.logBytes = new Counter({
      name: 'cmd_executor_log_bytes_total',
      help: 'Bytes of job output stored and published (UTF-8)',
      registers: [registry],
    });
  }

  /** A job-change payload (the job's fields, dates as Date or ISO string). */
  onJob(job: Record<string, unknown>): void {
    const status = job.status as JobStatus | undefined;
    const id = String(job.id ?? job._id ?? '');
    if (!status || !id || !this.firstTime(`${id}:${String(job.attempt)}:${status}`)) return;
    const queuedAt = time(job.queuedAt);
    if (status === JobStatus.ASSIGNED) observe(this.dispatchLatency, queuedAt, time(job.assignedAt));
    if (status === JobStatus.RUNNING) observe(this.queueWait, queuedAt, time(job.startedAt));
    if (TERMINAL_JOB_STATUSES.includes(status)) {
      this.finished.inc({ status });
      const started = time(job.startedAt);
      // An attempt that ended before its start was reported went from ASSIGNED to its end.
      if (started !== undefined && this.firstTime(`${id}:${String(job.attempt)}:${JobStatus.RUNNING}`)) observe(this.queueWait, queuedAt, started);
      const finished = time(job.finishedAt);
      if (started !== undefined && finished !== undefined && finished >= started) this.duration.observe({ status }, (finished - started) / 1000);
    }
  }

  /** A log batch as published on a job's log topic. */
  onLogBatch(batch: { chunks?: Array<{ data?: unknown }> }): void {
    let bytes = 0;
    for (const chunk of batch.chunks ?? []) if (typeof chunk.data === 'string') bytes += Buffer.byteLength(chunk.data, 'utf8');
    if (bytes > 0) this.logBytes.inc(bytes);
  }

  private firstTime(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.set(key, true);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }
}

function time(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' || typeof value === 'number') {
    const t = new Date(value).getTime();
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

function observe(h: Histogram, from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && to >= from) h.observe((to - from) / 1000);
}
