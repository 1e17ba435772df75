#!/usr/bin/env node
/* Throughput of `true` jobs through one worker agent with 8 slots, against a bare Node loop
 * spawning `true` 8 at a time, both in this run.
 *
 * The jobs are queued first (no worker connected), then the local agent starts in the API
 * process with --concurrency 8; the clock runs from the agent's start (its connection and
 * registration included) until the last job is seen SUCCEEDED on a jobUpdated subscription.
 * Each job is the command string `true`, which the agent runs as `/bin/sh -c true` in its own
 * process group, streams (empty) output, and reports startJob and completeJob for. The bare
 * loop spawns /usr/bin/true with piped stdout/stderr, 8 in flight, until all have exited.
 *
 *   node bench/throughput.bench.js            (BENCH_THROUGHPUT_JOBS=400 by default)
 */
'use strict';
const { spawn } = require('node:child_process');
const { startServer } = require('./lib/server-process');
const { gql, wsClient, subscribe, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, record, runMain, waitFor, fmtRatio } = require('./lib/common');

const JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS || 400);
const SLOTS = 8;
const BENCH = 'throughput';
const fmtRate = (v) => `${v.toFixed(0)} jobs/s`;

async function bareLoop(n, slots) {
  let next = 0;
  const t0 = wallMs();
  await Promise.all(
    Array.from({ length: slots }, async () => {
      while (next < n) {
        next += 1;
        await new Promise((resolve, reject) => {
          const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
          child.once('error', reject);
          child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`true exited ${code}`))));
        });
      }
    }),
  );
  return n / ((wallMs() - t0) / 1000);
}

async function main() {
  const workDir = tempDir('throughput');
  // Baseline first, on an idle machine state comparable to the system run that follows.
  await bareLoop(40, SLOTS); // warm-up
  const bareRate = await bareLoop(JOBS, SLOTS);

  const server = await startServer({ workDir, localAgent: null, label: 'throughput' });
  const ws = wsClient(server.wsUrl, server.adminToken);
  cleanup.add('ws client', () => ws.dispose());
  const succeeded = new Set();
  const failed = [];
  let subError;
  const unsubscribe = subscribe(
    ws,
    'subscription { jobUpdated { id status error } }',
    {},
    ({ jobUpdated: j }) => {
      if (j.status === 'SUCCEEDED') succeeded.add(j.id);
      else if (['FAILED', 'CANCELED', 'TIMED_OUT'].includes(j.status)) failed.push(j);
    },
    (err) => (subError = err),
  );
  cleanup.add('jobUpdated subscription', unsubscribe);

  // Queue every job before any worker exists (8 submissions in flight).
  const ids = [];
  let queued = 0;
  await Promise.all(
    Array.from({ length: SLOTS }, async () => {
      while (queued < JOBS) {
        queued += 1;
        const { createJob } = await gql(server.url, CREATE_JOB, { input: { command: 'true' } }, server.adminToken);
        ids.push(createJob.id);
      }
    }),
  );

  const t0 = wallMs();
  await server.startAgent(SLOTS);
  await waitFor(`${JOBS} jobs to succeed`, () => {
    if (subError) throw subError;
    if (failed.length > 0) throw new Error(`a job ended ${failed[0].status}: ${failed[0].error}`);
    return ids.every((id) => succeeded.has(id));
  }, 120_000, 2);
  const secs = (wallMs() - t0) / 1000;
  const rate = JOBS / secs;

  process.stdout.write(
    `throughput: ${JOBS} \`true\` jobs, one agent with ${SLOTS} slots (in the API process): ${secs.toFixed(2)} s, ${rate.toFixed(0)} jobs/s\n` +
      `  bare Node spawning \`true\` ${SLOTS} at a time: ${bareRate.toFixed(0)} spawns/s\n`,
  );
  record(BENCH, `throughput, 1 worker × ${SLOTS} slots`, rate, fmtRate);
  record(BENCH, `  bare Node spawn loop, ${SLOTS} at a time (baseline)`, bareRate, fmtRate);
  record(BENCH, 'throughput ratio (jobs / bare spawns)', rate / bareRate, fmtRatio, { op: '>=', target: 0.7, text: '≥ 0.7' });
}

runMain('throughput', main, { timeoutMs: 180_000 });
