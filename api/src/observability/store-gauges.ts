import { Gauge, type Registry } from 'prom-client';
import { JobStatus, WorkerStatus } from '../domain/enums';
import { JobModel, WorkerModel } from '../storage/models';

/** A scrape reads the store at most this often; scrapes in between get the last answer. */
const MIN_READ_INTERVAL_MS = 1000;

/**
 * State gauges read from MongoDB at scrape time, so every replica reports the same numbers
 * (the store's, not its own view). One count per job status uses the status index; workers are few.
 */
export function registerStoreGauges(registry: Registry): void {
  let last: { at: number; read: Promise<{ jobs: Map<string, number>; workers: Map<string, number> }> } | undefined;
  const read = () => {
    const now = Date.now();
    if (!last || now - last.at >= MIN_READ_INTERVAL_MS) {
      const pending = readCounts();
      last = { at: now, read: pending };
      // a failed read is not cached: the next scrape tries again
      pending.catch(() => {
        if (last?.read === pending) last = undefined;
      });
    }
    return last.read;
  };

  new Gauge({
    name: 'cmd_executor_jobs',
    help: 'Jobs in the store, by current status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { jobs } = await read();
      for (const status of Object.values(JobStatus)) this.set({ status }, jobs.get(status) ?? 0);
    },
  });
  new Gauge({
    name: 'cmd_executor_workers',
    help: 'Workers in the store, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { workers } = await read();
      for (const status of Object.values(WorkerStatus)) this.set({ status }, workers.get(status) ?? 0);
    },
  });
}

async function readCounts(): Promise<{ jobs: Map<string, number>; workers: Map<string, number> }> {
  const statuses = Object.values(JobStatus);
  const [jobCounts, workerGroups] = await Promise.all([
    Promise.all(statuses.map((status) => JobModel.countDocuments({ status }).exec())),
    WorkerModel.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]).exec(),
  ]);
  return {
    jobs: new Map(statuses.map((s, i) => [s, jobCounts[i] ?? 0])),
    workers: new Map(workerGroups.map((g) => [g._id, g.n])),
  };
}
