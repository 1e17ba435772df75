#!/usr/bin/env node
/* Runs every benchmark one after another (each in its own process, each starting its own
 * embedded API so none inherits another's load or data), then prints one table of figures,
 * goals and pass/miss. `npm run bench` builds first; alone it needs
 * `npm run build -w mongo-wire && npm run build -w worker && npx tsc -p api/tsconfig.build.json`.
 *
 *   node bench/run.js [name…]      e.g. node bench/run.js dispatch-latency log-stream floors/channel-floor
 *
 * The machine is shared: absolute figures move with its load, which is why throughput and
 * streaming are given as ratios to baselines measured in the same run.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { printTable } = require('./lib/common');

// Each transport floor runs right after the benchmark it bounds, so both see about the same load.
// Throughput runs interleaved with its peer (BullMQ): peers/throughput-vs-bullmq runs it.
const ALL = ['dispatch-latency', 'peers/throughput-vs-bullmq', 'floors/channel-floor', 'log-stream', 'floors/subscriber-floor', 'fanout', 'worker-loss', 'claim-backlog', 'many-agents', 'mongo-wire'];
// The store's own benchmark lives with its package.
const ELSEWHERE = { 'mongo-wire': path.join(__dirname, '../mongo-wire/bench/mongo-wire.bench.js') };
const benchFile = (name) => ELSEWHERE[name] ?? path.join(__dirname, `${name}.bench.js`);

function runOne(name, resultsFile) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [benchFile(name)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_RESULTS_FILE: resultsFile },
    });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ name, ok: code === 0, code: code ?? signal, secs: (Date.now() - t0) / 1000 });
    });
  });
}

async function main() {
  const wanted = process.argv.slice(2);
  const names = (wanted.length > 0 ? wanted : ALL).filter((n) => fs.existsSync(benchFile(n)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdx-bench-run-'));
  const resultsFile = path.join(tmp, 'results.jsonl');
  const runs = [];
  const t0 = Date.now();
  try {
    process.stdout.write(`cmd-executor benchmarks — node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    for (const name of names) {
      process.stdout.write(`\n=== ${name} ===\n`);
      runs.push(await runOne(name, resultsFile));
    }
    const rows = fs.existsSync(resultsFile)
      ? fs.readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
      : [];
    process.stdout.write(`\n=== summary (${((Date.now() - t0) / 1000).toFixed(0)} s, load average now ${os.loadavg()[0].toFixed(1)}) ===\n`);
    printTable(rows);
    for (const r of runs) {
      // mongo-wire.bench.js (the store's own benchmark) also exits 1 when its scan ratio misses.
      const why = r.name === 'mongo-wire' ? ' — an error, or its "worst indexed-op ratio" missed: see its output above' : '';
      process.stdout.write(`${r.ok ? 'ran' : 'FAILED'}: ${r.name} (${r.secs.toFixed(0)} s${r.ok ? '' : `, exit ${r.code}${why}`})\n`);
    }
    const goals = rows.filter((r) => r.pass !== undefined);
    process.stdout.write(`${goals.filter((r) => r.pass).length} of ${goals.length} goals met\n`);
    // Misses are findings, not errors; a benchmark that could not run is.
    if (runs.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
