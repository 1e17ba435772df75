'use strict';
/*
 * Sustained throughput, beside the timed batch of bench/throughput.bench.js and its BullMQ peer:
 * `BENCH_SUSTAINED_JOBS` (3,000; 0 leaves it out) queued for a fresh agent (or worker), the rate
 * taken over the second half of the completions. By then the agent, its helpers and the API have
 * run 1,500 jobs of the run (plus the warm-up): what a queue that has been busy for a while
 * does, where the timed batch (400 jobs, about a second) is a burst that starts with a fresh
 * agent. A fresh agent spends about twice the CPU per job on its first hundreds of jobs as later
 * (1.6-2.0 against 0.7-0.8 ms on a 2-core machine), the API likewise; BullMQ's worker, whose
 * work is mostly in Redis, much less so.
 */
const SUSTAINED_JOBS = Number(process.env.BENCH_SUSTAINED_JOBS ?? 3000);
/** The rows each side records (peers/throughput-vs-bullmq reads them back). */
const SUSTAINED_FIGURE = `  sustained: second half of ${SUSTAINED_JOBS} jobs`;
const PEER_SUSTAINED_FIGURE = `  BullMQ sustained: second half of ${SUSTAINED_JOBS} jobs`;

/** Jobs per second over the second half of a run's completion times (ms, in order). */
function sustainedRate(times) {
  const from = Math.floor(times.length / 2);
  if (from < 1) throw new Error('a sustained rate needs at least 2 completions');
  return (times.length - from) / ((times[times.length - 1] - times[from - 1]) / 1000);
}

module.exports = { SUSTAINED_JOBS, SUSTAINED_FIGURE, PEER_SUSTAINED_FIGURE, sustainedRate };
