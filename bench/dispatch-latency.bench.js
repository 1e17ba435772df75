#!/usr/bin/env node
/* Dispatch latency: createJob sent → the job's process running, over 1,000 jobs submitted one
 * after another (each waits until the previous one has finished, so no job ever queues behind
 * another and nothing of a previous job overlaps the next dispatch).
 *
 * "Process started" is taken by the process itself: the job is `date +%s%N` given as command +
 * args, so the agent execs `date` directly (no shell) and the first thing it does is read the
 * wall clock in nanoseconds and print it. The client notes the wall clock (µs) just before
 * sending createJob. Client, API and job share the machine's clock. The job's `startedAt` is
 * not used for the goal: it is in whole milliseconds, and for a process this short the agent
 * sends no startJob, so startedAt is finishedAt minus the run time the agent measured (printed
 * for comparison).
 *
 *   node bench/dispatch-latency.bench.js        (BENCH_DISPATCH_JOBS=1000 by default)
 */
'use strict';
const os = require('node:os');
const { spawn } = require('node:child_process');
const { startServer } = require('./lib/server-process');
const { gql, wsClient, subscribe, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, percentile, record, runMain, fmtMs, fmtRatio } = require('./lib/common');

const JOBS = Number(process.env.BENCH_DISPATCH_JOBS || 1000);
const WARMUP = 20;
const BARE_RUNS = 200;
/** Keeps the whole run bounded on a loaded machine: stop submitting after this long. */
const BUDGET_MS = Number(process.env.BENCH_DISPATCH_BUDGET_MS || 110_000);
const BENCH = 'dispatch';
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'TIMED_OUT']);

/** Baseline: the same `date +%s%N` spawned directly by Node, clock read just before spawn(). */
async function bareSpawnLatencies(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = wallMs();
    const child = spawn('date', ['+%s%N'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    out.push(nsToMs(text) - t0);
  }
  return out;
}

function nsToMs(text) {
  const ns = BigInt(text.trim());
  return Number(ns / 1000n) / 1000;
}

async function main() {
  const workDir = tempDir('dispatch');
  const server = await startServer({ workDir, localAgent: { concurrency: Math.max(2, os.cpus().length) }, label: 'dispatch' });
  const ws = wsClient(server.wsUrl, server.adminToken);
  cleanup.add('ws client', () => ws.dispose());

  // Terminal states arrive on one jobUpdated subscription; a waiter may register after its event.
  const done = new Map();
  const waiters = new Map();
  /** id → { status: first time this client saw it } for the breakdown */
  const seen = new Map();
  let subError;
  await new Promise((resolve, reject) => {
    const unsubscribe = subscribe(
      ws,
      'subscription { jobUpdated { id status error } }',
      {},
      ({ jobUpdated: j }) => {
        const at = wallMs();
        if (!seen.has(j.id)) seen.set(j.id, {});
        if (seen.get(j.id)[j.status] === undefined) seen.get(j.id)[j.status] = at;
        if (!TERMINAL.has(j.status)) return;
        done.set(j.id, j);
        const w = waiters.get(j.id);
        if (w) {
          waiters.delete(j.id);
          w(j);
        }
      },
      (err) => {
        subError = err;
        reject(err);
      },
    );
    cleanup.add('jobUpdated subscription', unsubscribe);
    // graphql-ws says nothing when a subscription is live: give the server a moment, then probe.
    setTimeout(resolve, 300);
  });
  const finished = (id, timeoutMs) =>
    new Promise((resolve, reject) => {
      if (done.has(id)) return resolve(done.get(id));
      const t = setTimeout(() => {
        waiters.delete(id);
        reject(subError || new Error(`job ${id} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.set(id, (j) => {
        clearTimeout(t);
        resolve(j);
      });
    });

  const sent = [];
  const started = wallMs();
  for (let i = 0; i < WARMUP + JOBS && wallMs() - started < BUDGET_MS; i++) {
    const t0 = wallMs();
    const { createJob } = await gql(server.url, CREATE_JOB, { input: { command: 'date', args: ['+%s%N'] } }, server.adminToken);
    const tResp = wallMs();
    const end = await finished(createJob.id, 15_000);
    if (end.status !== 'SUCCEEDED') throw new Error(`job ${createJob.id} ended ${end.status}: ${end.error}`);
    if (i >= WARMUP) sent.push({ id: createJob.id, t0, tResp });
  }
  const loopSecs = (wallMs() - started) / 1000;
  if (sent.length < JOBS) process.stdout.write(`dispatch: time budget (${BUDGET_MS / 1000} s) spent after ${sent.length} of ${JOBS} jobs; figures are over those\n`);

  // Read each job's printed clock (and startedAt) after the measurement, a few at a time.
  const latencies = [];
  const serverSide = [];
  const phase = { 'createJob response': [], 'ASSIGNED seen': [], 'RUNNING seen (startJob done)': [], 'process running': latencies, 'SUCCEEDED seen': [] };
  const query = 'query($id: ID!) { job(id: $id) { createdAt startedAt logs { stream data } } }';
  for (let i = 0; i < sent.length; i += 16) {
    await Promise.all(
      sent.slice(i, i + 16).map(async ({ id, t0, tResp }) => {
        const { job } = await gql(server.url, query, { id }, server.adminToken);
        const stdout = job.logs.filter((c) => c.stream === 'STDOUT').map((c) => c.data).join('');
        if (!/^\d{19}\s*$/.test(stdout)) throw new Error(`job ${id} printed ${JSON.stringify(stdout)}`);
        latencies.push(nsToMs(stdout) - t0);
        const ev = seen.get(id) || {};
        phase['createJob response'].push(tResp - t0);
        phase['ASSIGNED seen'].push(ev.ASSIGNED - t0);
        phase['RUNNING seen (startJob done)'].push(ev.RUNNING - t0);
        phase['SUCCEEDED seen'].push(ev.SUCCEEDED - t0);
        serverSide.push(Date.parse(job.startedAt) - Date.parse(job.createdAt));
      }),
    );
  }
  const bare = await bareSpawnLatencies(BARE_RUNS);

  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const bare50 = percentile(bare, 50);
  process.stdout.write(
    `dispatch: ${JOBS} jobs (after ${WARMUP} warm-up) in ${loopSecs.toFixed(1)} s, one at a time, the local agent as npm start runs it (a child process of the API).\n` +
      `  createJob sent → \`date +%s%N\` (exec'd without a shell) reads the clock: p50 ${fmtMs(p50)}, p90 ${fmtMs(percentile(latencies, 90))}, ` +
      `p99 ${fmtMs(p99)}, max ${fmtMs(Math.max(...latencies))}\n` +
      `  same command spawned by bare Node (${BARE_RUNS}×): p50 ${fmtMs(bare50)}, p99 ${fmtMs(percentile(bare, 99))}  → the exec itself\n` +
      `  server view createdAt → startedAt (ms resolution; a short job’s startedAt is derived from ranForMs, a longer one’s comes with startJob 20 ms after the spawn): p50 ${percentile(serverSide, 50)} ms, p99 ${percentile(serverSide, 99)} ms\n` +
      `  where the time goes (p50 after createJob was sent, as this client saw it on jobUpdated):\n` +
      Object.entries(phase)
        .map(([k, v]) => `    ${k.padEnd(30)} ${fmtMs(percentile(v.filter(Number.isFinite), 50))}`)
        .join('\n') +
      '\n',
  );
  record(BENCH, 'dispatch latency p50 (createJob → process running)', p50, fmtMs, { op: '<=', target: 5, text: '≤ 5 ms' });
  record(BENCH, 'dispatch latency p99', p99, fmtMs, { op: '<=', target: 25, text: '≤ 25 ms' });
  record(BENCH, '  bare Node spawn → `date` reads the clock (p50, baseline)', bare50, fmtMs);
  record(BENCH, '  p50 / bare spawn p50', p50 / bare50, fmtRatio);
}

runMain('dispatch-latency', main, { timeoutMs: 150_000 });
