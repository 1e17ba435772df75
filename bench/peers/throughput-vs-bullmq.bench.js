#!/usr/bin/env node
/* Our throughput against the BullMQ peer, interleaved in one run: the machine is shared and its
 * load moves within seconds, so one peer run beside one of ours can be off by 2×. Each of our
 * rounds (bench/throughput.bench.js, a process of its own, output shown as it runs) sits
 * between two peer rounds (bench/peers/bullmq.bench.js, a process each) and is divided by their
 * mean; the round with the median ratio is reported, every round's ratio printed
 * (lib/rounds.js, as the transport floors interleave with their baselines):
 *
 *   peer, ours, peer, ours, peer, ours, peer       (BENCH_PEER_ROUNDS=3 rounds of ours)
 *
 * Both benches stay runnable alone. The figure compared is throughput's
 * `throughput, 1 worker × 8 slots` (the local agent of npm start); all of that median round's
 * rows go to the summary too, so bench/run.js runs this in throughput's place.
 * No Redis answering: throughput runs once, and the peer is reported skipped.
 *
 *   node bench/peers/throughput-vs-bullmq.bench.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { sandwichedRatios } = require('../lib/rounds');
const { tempDir, record, results, runMain, fmtRatio } = require('../lib/common');
const { redisAnswers, PEER_CPU_FIGURE, fmtPeerCpu } = require('./bullmq.bench');
const { median: medianOf } = require('../lib/rounds');
const { SUSTAINED_JOBS, SUSTAINED_FIGURE, PEER_SUSTAINED_FIGURE } = require('../lib/sustained');

const ROUNDS = Number(process.env.BENCH_PEER_ROUNDS || 3);
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const OURS_FIGURE = /^throughput, 1 worker/;
const PEER_FIGURE = /^BullMQ worker/;
const fmtRate = (v) => `${v.toFixed(0)} jobs/s`;

let runs = 0;
/** Runs a bench file as its own process (output shown); resolves with the rows it recorded. */
function runBench(file, dir) {
  runs += 1;
  const rowsFile = path.join(dir, `run-${runs}.jsonl`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', file)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_RESULTS_FILE: rowsFile },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`${file} exited ${code ?? signal}`));
      const rows = fs.existsSync(rowsFile) ? fs.readFileSync(rowsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
      resolve(rows);
    });
  });
}

/** The recorded row whose figure is `figure` (a name, or a pattern); one is expected. */
function rowOf(rows, figure, file) {
  const row = rows.find((r) => (typeof figure === 'string' ? r.figure === figure : figure.test(r.figure)));
  if (!row) throw new Error(`${file} recorded no row matching ${figure}`);
  return row;
}

const rateOf = (rows, figure, file) => rowOf(rows, figure, file).value;

/** Rows of a finished bench forwarded to this run's results (and so to bench/run.js's summary). */
function forward(rows) {
  for (const r of rows) {
    results.push(r);
    if (process.env.BENCH_RESULTS_FILE) fs.appendFileSync(process.env.BENCH_RESULTS_FILE, `${JSON.stringify(r)}\n`);
  }
}

async function main() {
  const dir = tempDir('vs-bullmq');
  if (!(await redisAnswers(REDIS_URL))) {
    process.stdout.write(`peers/bullmq: skipped — no Redis answers at ${REDIS_URL.replace(/\/\/[^@]*@/, '//')} (set REDIS_URL); throughput runs alone\n`);
    forward(await runBench('throughput.bench.js', dir));
    return;
  }
  const ourRows = [];
  const peerRows = [];
  const { baselines, figures } = await sandwichedRatios(
    ROUNDS,
    async () => {
      const rows = await runBench('peers/bullmq.bench.js', dir);
      peerRows.push(rows);
      return rateOf(rows, PEER_FIGURE, 'peers/bullmq');
    },
    async () => {
      const rows = await runBench('throughput.bench.js', dir);
      ourRows.push(rows);
      return { ours: { rate: rateOf(rows, OURS_FIGURE, 'throughput'), round: ourRows.length - 1 } };
    },
  );
  const median = figures.ours;
  process.stdout.write(
    `throughput vs BullMQ: ${ROUNDS} round(s) of ours, each between two peer runs\n` +
      `  peer runs: ${baselines.map((b) => b.toFixed(0)).join(', ')} jobs/s\n` +
      `  ratio per round: ${median.ratios.map((r) => r.toFixed(2)).join(', ')} (median round: ${median.round + 1})\n`,
  );
  forward(ourRows[median.round]);
  record('peer', 'BullMQ worker, concurrency 8 (peer, same run)', median.base, fmtRate);
  // A peer figure for round r as its base is taken: the mean over the two peer runs around it.
  const aroundRound = (r, pick) => (pick(peerRows[r]) + pick(peerRows[r + 1])) / 2;
  // The peer's CPU per job beside ours (the rows above), around the median round.
  const peerCpu = (key) => aroundRound(median.round, (rows) => rowOf(rows, PEER_CPU_FIGURE, 'peers/bullmq').parts[key]);
  const parts = { workerMs: peerCpu('workerMs'), redisMs: peerCpu('redisMs') };
  record('peer', PEER_CPU_FIGURE, parts.workerMs + parts.redisMs, () => fmtPeerCpu(parts.workerMs, parts.redisMs), undefined, parts);
  record('peer', 'throughput / BullMQ peer (interleaved)', median.ratio, fmtRatio, { op: '>=', target: 1.0, text: '≥ 1.0 (min 0.75)' });
  // Sustained (lib/sustained.js), the same way: each round's over the peer runs around it, the median round.
  if (SUSTAINED_JOBS > 0) {
    const sustainedRatios = ourRows.map(
      (rows, r) => rateOf(rows, SUSTAINED_FIGURE, 'throughput') / aroundRound(r, (p) => rateOf(p, PEER_SUSTAINED_FIGURE, 'peers/bullmq')),
    );
    process.stdout.write(`  sustained ratio per round: ${sustainedRatios.map((r) => r.toFixed(2)).join(', ')}\n`);
    record('peer', '  throughput / BullMQ, sustained (interleaved)', medianOf(sustainedRatios), fmtRatio);
  }
}

if (require.main === module) runMain('peers/throughput-vs-bullmq', main, { timeoutMs: 600_000 });
