#!/usr/bin/env node
/* Live log streaming to a jobLogs subscriber over graphql-ws.
 *
 * 1. Rate: a job writes 100 MB of 100-byte lines (`yes <99 chars> | head -c 100000000`) to
 *    stdout; a subscriber opened right after createJob counts the STDOUT bytes it receives.
 *    The rate (createJob sent → last byte received) is compared with the raw pipe rate of the
 *    same producer spawned by Node in this run (spawn → last byte read from its stdout pipe).
 *    The API runs with LOG_MAX_BYTES raised to 256 MiB so nothing is cut.
 * 2. Latency: a job prints its wall clock (ms, µs resolution) 50 times a second for 4 s;
 *    the subscriber compares each line with its own clock on receipt (same machine, same clock).
 *
 *   node bench/log-stream.bench.js           (BENCH_LOG_BYTES=100000000 by default)
 */
'use strict';
const { spawn } = require('node:child_process');
const { startServer } = require('./lib/server-process');
const { gql, wsClient, subscribe, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, percentile, record, runMain, waitFor, fmtMs, fmtRatio } = require('./lib/common');

const BYTES = Number(process.env.BENCH_LOG_BYTES || 100_000_000);
const PRODUCER = `yes ${'a'.repeat(99)} | head -c ${BYTES}`;
const LATENCY_LINES = 200;
const LATENCY_EVERY_MS = 20;
const BENCH = 'logs';
const fmtRate = (v) => `${v.toFixed(1)} MB/s`;
const JOB_LOGS = 'subscription($id: ID!) { jobLogs(jobId: $id) { seq stream data } }';

async function rawPipeRate() {
  const t0 = wallMs();
  const child = spawn('/bin/sh', ['-c', PRODUCER], { stdio: ['ignore', 'pipe', 'inherit'] });
  let n = 0;
  child.stdout.on('data', (d) => (n += d.length));
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (n !== BYTES) throw new Error(`producer wrote ${n} bytes, expected ${BYTES}`);
  return BYTES / 1e6 / ((wallMs() - t0) / 1000);
}

/** Subscribes to a job's logs; `onChunk(chunk, receivedAtMs)` per STDOUT chunk. */
function followLogs(ws, id, onChunk) {
  const state = { error: undefined, seqs: [] };
  const unsubscribe = subscribe(
    ws,
    JOB_LOGS,
    { id },
    ({ jobLogs: c }) => {
      const at = wallMs();
      state.seqs.push(c.seq);
      if (c.stream === 'STDOUT') onChunk(c, at);
    },
    (err) => (state.error = err),
  );
  cleanup.add(`jobLogs ${id}`, unsubscribe);
  state.unsubscribe = unsubscribe;
  return state;
}

async function jobState(server, id) {
  const { job } = await gql(server.url, 'query($id: ID!) { job(id: $id) { status logBytes logTruncated error } }', { id }, server.adminToken);
  return job;
}

async function main() {
  const workDir = tempDir('logs');
  await rawPipeRate(); // warm-up (page cache, binaries)
  const rawRate = await rawPipeRate();

  const server = await startServer({ workDir, env: { LOG_MAX_BYTES: String(256 * 1024 * 1024) }, localAgent: { concurrency: 2 }, label: 'logs' });
  const ws = wsClient(server.wsUrl, server.adminToken);
  cleanup.add('ws client', () => ws.dispose());

  // --- latency: timestamped lines at a modest rate
  const script =
    `let i=0;const t=setInterval(()=>{process.stdout.write((performance.timeOrigin+performance.now()).toFixed(3)+'\\n');` +
    `if(++i>=${LATENCY_LINES})clearInterval(t)},${LATENCY_EVERY_MS})`;
  const lat = await gql(server.url, CREATE_JOB, { input: { command: process.execPath, args: ['-e', script] } }, server.adminToken);
  const delays = [];
  let partial = '';
  const latSub = followLogs(ws, lat.createJob.id, (c, at) => {
    const lines = (partial + c.data).split('\n');
    partial = lines.pop();
    for (const l of lines) if (l) delays.push(at - Number(l));
  });
  await waitFor('timestamped lines', () => {
    if (latSub.error) throw latSub.error;
    return delays.length >= LATENCY_LINES;
  }, 30_000, 20);
  latSub.unsubscribe();

  // --- rate: 100 MB through the whole path
  let received = 0;
  const t0 = wallMs();
  const big = await gql(server.url, CREATE_JOB, { input: { command: PRODUCER } }, server.adminToken);
  let tLast = 0;
  const bigSub = followLogs(ws, big.createJob.id, (c, at) => {
    received += c.data.length; // ASCII: one char per byte
    tLast = at;
  });
  await waitFor(`${BYTES} bytes on the subscription`, () => {
    if (bigSub.error) throw bigSub.error;
    return received >= BYTES;
  }, 150_000, 10);
  const rate = BYTES / 1e6 / ((tLast - t0) / 1000);
  const seqs = bigSub.seqs;
  const gapFree = seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1);
  const job = await pollFinished(server, big.createJob.id);

  process.stdout.write(
    `logs: ${BYTES / 1e6} MB job output to a live jobLogs subscriber: ${rate.toFixed(1)} MB/s ` +
      `(${((tLast - t0) / 1000).toFixed(2)} s, ${seqs.length} chunks, seqs ${gapFree ? 'contiguous' : 'WITH GAPS'}, received ${received} bytes, job ${job.status}, logBytes ${job.logBytes}, truncated ${job.logTruncated})\n` +
      `  same producer piped straight into Node: ${rawRate.toFixed(1)} MB/s\n` +
      `  write → subscriber latency over ${delays.length} lines: p50 ${fmtMs(percentile(delays, 50))}, p90 ${fmtMs(percentile(delays, 90))}, p99 ${fmtMs(percentile(delays, 99))}\n`,
  );
  if (received !== BYTES) throw new Error(`subscriber received ${received} bytes, expected ${BYTES}`);
  record(BENCH, `${BYTES / 1e6} MB stdout → live subscriber`, rate, fmtRate);
  record(BENCH, '  raw pipe rate of the same producer (baseline)', rawRate, fmtRate);
  record(BENCH, 'log streaming ratio (subscriber / raw pipe)', rate / rawRate, fmtRatio, { op: '>=', target: 0.5, text: '≥ 0.5' });
  record(BENCH, 'write → subscriber latency p50', percentile(delays, 50), fmtMs, { op: '<=', target: 100, text: '≤ 100 ms' });
  record(BENCH, '  write → subscriber latency p99', percentile(delays, 99), fmtMs);
}

/** The job's final state (or its state after 60 s). */
async function pollFinished(server, id) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await jobState(server, id);
    if (!['QUEUED', 'ASSIGNED', 'RUNNING'].includes(job.status) || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

runMain('log-stream', main, { timeoutMs: 240_000 });
