/**
 * What Ctrl-C of `npm start` tells the person at the terminal, and what a second Ctrl-C does:
 * the first waits for the local agent's running jobs (up to its shutdown timeout) and says so;
 * the second kills the local agent at once (its guardian takes the jobs' processes with it)
 * instead of leaving it to finish on its own after this process is gone.
 */
import { JobStatus } from './domain/enums';
import type { LocalAgent } from './local-agent';
import type { ShutdownOptions } from './shutdown';
import { JobModel, WorkerModel } from './storage/models';

export function localShutdownOptions(agent: () => LocalAgent | undefined, workerName: string): ShutdownOptions {
  return {
    describe: async () => {
      const local = agent();
      if (!local) return 'waiting for requests in flight';
      const running = await runningJobsOf(workerName);
      // Nothing runs: nothing to wait for but the requests in flight (gone in a moment).
      if (running === 0) return 'no jobs running';
      const jobs = `${running} running job${running === 1 ? '' : 's'}`;
      return `waiting up to ${local.shutdownTimeoutSeconds} s for ${jobs}`;
    },
    stopNow: async () => {
      await agent()?.kill();
    },
  };
}

async function runningJobsOf(workerName: string): Promise<number> {
  const workers = await WorkerModel.find({ name: workerName }, { _id: 1 }).lean().exec();
  if (workers.length === 0) return 0;
  return JobModel.countDocuments({
    workerId: { $in: workers.map((w) => w._id) },
    status: { $in: [JobStatus.ASSIGNED, JobStatus.RUNNING] },
  }).exec();
}
