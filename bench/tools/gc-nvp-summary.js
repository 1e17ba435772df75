#!/usr/bin/env node
/* Totals of a process's garbage collections from V8's `--trace-gc-nvp` lines (one per
 * collection), by kind: how many, the main thread's pause, and how much survived or was
 * promoted. What survives a scavenge is copied: bytes that live a little while in the young
 * generation (queued output, say) cost a copy each time.
 *
 *   BENCH_AGENT_STDOUT=1 BENCH_AGENT_EXEC_ARGV="--trace-gc-nvp" node bench/log-stream.bench.js > gc.txt
 *   node bench/tools/gc-nvp-summary.js gc.txt
 */
'use strict';
const fs = require('node:fs');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: gc-nvp-summary.js <file with --trace-gc-nvp output>\n');
  process.exit(2);
}
const KINDS = { s: 'scavenge', mc: 'mark-compact', mmc: 'minor mark-compact', ms: 'mark-sweep' };
const totals = new Map();
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  const kind = / gc=(\w+) /.exec(line)?.[1];
  if (!kind) continue;
  const t = totals.get(kind) ?? { n: 0, pause: 0, survived: 0, promoted: 0, allocated: 0 };
  const num = (key) => Number(new RegExp(` ${key}=([0-9.]+)`).exec(line)?.[1] ?? 0);
  t.n += 1;
  t.pause += num('pause');
  t.survived += num('new_space_survived');
  t.promoted += num('promoted');
  t.allocated += num('allocated');
  totals.set(kind, t);
}
if (totals.size === 0) process.stdout.write('no --trace-gc-nvp lines found\n');
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
for (const [kind, t] of totals) {
  process.stdout.write(`${KINDS[kind] ?? kind}: ${t.n}, pause ${t.pause.toFixed(1)} ms, survived ${mb(t.survived)}, promoted ${mb(t.promoted)}, allocated ${mb(t.allocated)}\n`);
}
