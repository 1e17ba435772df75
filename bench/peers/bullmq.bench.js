#!/usr/bin/env node
/* The throughput peer: a BullMQ worker (the queue people choose for this job) running the same
 * `true` jobs as bench/throughput.bench.js, on the machine's Redis.
 *
 * First `BENCH_WARMUP_JOBS` (100) go through a first worker, untimed, as throughput warms its
 * API. Then `BENCH_THROUGHPUT_JOBS` jobs (400) are queued (addBulk, no worker running), and one
 * fresh BullMQ Worker with concurrency 8 starts; its processor spawns what our agent spawns for the
 * job `true` — `/bin/sh -c true` in its own process group with piped stdout/stderr — and
 * resolves once the child has closed. The clock runs from the first job handed to the
 * processor until the last `completed` event, as throughput's runs from the first job leaving
 * QUEUED until the last seen SUCCEEDED. Completed jobs stay in Redis (as our jobs stay stored)
 * until the queue is obliterated at the end.
 *
 * Redis: REDIS_URL, else redis://127.0.0.1:6379; keys under a prefix of this run's own
 * (`cmdx-bench-peer-<pid>-<random>`), all removed at cleanup. No Redis answering: one line
 * saying so, exit 0 (a skipped peer is not a failed benchmark).
 *
 *   node bench/peers/bullmq.bench.js           (alone; bench/run.js runs it interleaved with
 *                                               throughput through peers/throughput-vs-bullmq)
 */
'use strict';
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');
const { shellLoop } = require('../lib/baselines');
const { cleanup, wallMs, record, runMain, fmtRatio } = require('../lib/common');
const { SUSTAINED_JOBS, PEER_SUSTAINED_FIGURE, sustainedRate } = require('../lib/sustained');

const JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS || 400);
/** Jobs run before the timed batch, as bench/throughput.bench.js runs them (BENCH_WARMUP_JOBS). */
const WARMUP_JOBS = Number(process.env.BENCH_WARMUP_JOBS ?? 100);
const SLOTS = 8;
const BENCH = 'peer';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const fmtRate = (v) => `${v.toFixed(0)} jobs/s`;
/** The row with the peer's CPU per job outside its job processes: its worker, and Redis. */
const PEER_CPU_FIGURE = '  BullMQ CPU per job: worker / Redis server';
const fmtPeerCpu = (workerMs, redisMs) => `${workerMs.toFixed(2)} / ${redisMs.toFixed(2)} ms`;

/** Whether a Redis answers PING at `url` within a second (no retries, no offline queue). */
async function redisAnswers(url) {
  const probe = new IORedis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** `/bin/sh -c true` as the agent runs a command string: own process group, piped output, awaited until close. */
function spawnTrue() {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'true'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`/bin/sh -c true exited ${code}`))));
  });
}

/** Removes every key under `prefix` (obliterate leaves the queue's meta and event stream keys). */
async function deleteKeys(url, prefix) {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** CPU seconds the Redis server has used (INFO cpu: its main thread and the rest, user + system). */
async function redisCpuSecs(redis) {
  const info = await redis.info('cpu');
  let secs = 0;
  for (const m of info.matchAll(/^used_cpu_(?:sys|user):([\d.]+)/gm)) secs += Number(m[1]);
  return secs;
}

/**
 * Queues `jobs` jobs, then runs them through one Worker with `slots` concurrency. Resolves with
 * jobs per second and the CPU per job (ms) while they ran: this process's own (the worker, its
 * spawns of `/bin/sh`; the job processes not counted, as the agent's CPU leaves its jobs out)
 * and the Redis server's (all of it: on a shared Redis, other clients' commands too).
 */
async function measureBullmq(jobs, slots) {
  const prefix = `cmdx-bench-peer-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const connection = { url: REDIS_URL };
  const name = 'true-jobs';
  cleanup.add('BullMQ keys', () => deleteKeys(REDIS_URL, prefix));
  const queue = new Queue(name, { connection, prefix });
  cleanup.add('BullMQ queue', async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: 'true', data: { n: i + k, command: 'true' } })));
  }

  let first = 0;
  /** when each job completed (ms), in order */
  const times = [];
  let failure = null;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  // CPU from before the worker takes its first job
  const stats = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  cleanup.add('Redis stats connection', () => stats.disconnect());
  const redis0 = await redisCpuSecs(stats);
  const cpu0 = process.cpuUsage();
  const worker = new Worker(
    name,
    async () => {
      if (first === 0) first = wallMs();
      await spawnTrue();
    },
    { connection, prefix, concurrency: slots },
  );
  cleanup.add('BullMQ worker', () => worker.close());
  worker.on('completed', () => {
    times.push(wallMs());
    if (times.length === jobs) resolveDone();
  });
  worker.on('failed', (_job, err) => {
    failure = err;
    resolveDone();
  });
  worker.on('error', (err) => {
    failure = err;
    resolveDone();
  });
  const watchdog = setTimeout(() => {
    failure = new Error(`${times.length} of ${jobs} BullMQ jobs completed after 120 s`);
    resolveDone();
  }, 120_000);
  await done;
  const cpu = process.cpuUsage(cpu0);
  const redisMs = ((await redisCpuSecs(stats)) - redis0) * 1000;
  stats.disconnect();
  clearTimeout(watchdog);
  await worker.close();
  if (failure) throw failure;
  return { rate: jobs / ((times[jobs - 1] - first) / 1000), workerMs: (cpu.user + cpu.system) / 1000 / jobs, redisMs: redisMs / jobs, times };
}

async function main() {
  if (!(await redisAnswers(REDIS_URL))) {
    process.stdout.write(`peers/bullmq: skipped — no Redis answers at ${REDIS_URL.replace(/\/\/[^@]*@/, '//')} (set REDIS_URL)\n`);
    return;
  }
  await shellLoop(40, SLOTS); // warm-up
  const shellBefore = await shellLoop(JOBS, SLOTS);
  // As throughput warms the API: a first batch through a first worker, then a fresh worker is timed.
  if (WARMUP_JOBS > 0) await measureBullmq(WARMUP_JOBS, SLOTS);
  const { rate, workerMs, redisMs } = await measureBullmq(JOBS, SLOTS);
  // as throughput's third run: a fresh worker through SUSTAINED_JOBS, the rate over the second half
  const sustained = SUSTAINED_JOBS > 0 ? sustainedRate((await measureBullmq(SUSTAINED_JOBS, SLOTS)).times) : undefined;
  const shellAfter = await shellLoop(JOBS, SLOTS);
  const shell = (shellBefore + shellAfter) / 2;
  process.stdout.write(
    `peers/bullmq: ${JOBS} \`true\` jobs, one BullMQ worker with concurrency ${SLOTS}: ${rate.toFixed(0)} jobs/s\n` +
      `  bare Node spawning \`/bin/sh -c true\` ${SLOTS} at a time (before, after): ${shellBefore.toFixed(0)}, ${shellAfter.toFixed(0)} spawns/s\n` +
      `  CPU per job (user + system): BullMQ worker ${workerMs.toFixed(2)} ms (this process, its job processes not counted), Redis server ${redisMs.toFixed(2)} ms\n` +
      (sustained === undefined ? '' : `  sustained: ${SUSTAINED_JOBS} jobs through a fresh worker, the second half at ${sustained.toFixed(0)} jobs/s\n`),
  );
  record(BENCH, `BullMQ worker, concurrency ${SLOTS}`, rate, fmtRate);
  record(BENCH, '  BullMQ / bare `/bin/sh -c true` loop', rate / shell, fmtRatio);
  record(BENCH, PEER_CPU_FIGURE, workerMs + redisMs, () => fmtPeerCpu(workerMs, redisMs), undefined, { workerMs, redisMs });
  if (sustained !== undefined) record(BENCH, PEER_SUSTAINED_FIGURE, sustained, fmtRate);
}

module.exports = { measureBullmq, redisAnswers, PEER_CPU_FIGURE, fmtPeerCpu };

if (require.main === module) runMain('peers/bullmq', main, { timeoutMs: 300_000 });
