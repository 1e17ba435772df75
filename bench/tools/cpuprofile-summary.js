#!/usr/bin/env node
/* Where a V8 CPU profile (`--cpu-prof`, e.g. through BENCH_SERVER_EXEC_ARGV or
 * BENCH_AGENT_EXEC_ARGV) spent its time: self time by package and by function, as shares of
 * the whole profile (idle and the garbage collector included, as V8 samples them).
 *
 *   node bench/tools/cpuprofile-summary.js <file.cpuprofile> [top N]
 *   node bench/tools/cpuprofile-summary.js <file.cpuprofile> --callers <regex> [depth]
 *
 * --callers: the functions matching <regex> (on "name@file:line") by the chains of callers above
 * them, e.g. '^\(anon\)@:-1' for native code without a name (Buffer.byteLength shows so).
 */
'use strict';
const fs = require('node:fs');

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpuprofile-summary.js <file.cpuprofile> [top N] | --callers <regex> [depth]\n');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const selfTime = new Map();
const total = profile.timeDeltas.reduce((a, b) => a + b, 0);
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + profile.timeDeltas[i]));

const shortUrl = (url) => url.replace(/.*node_modules\//, '').replace(/^file:\/\//, '').replace(/.*\/(api|worker|mongo-wire|json-text|cli|bench)\//, '$1/');
const frameName = (n) => `${n.callFrame.functionName || '(anon)'}@${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber}`;
/** The package of a frame: the node_modules package, the workspace folder, or V8's own label. */
function packageOf(n) {
  const url = n.callFrame.url;
  const nm = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const ws = /\/(api|worker|mongo-wire|json-text|cli)\/dist\/([^/]+)/.exec(url);
  if (ws) return `${ws[1]}/${ws[2]}`;
  return url || n.callFrame.functionName || '(native)';
}
const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
function printTop(map, n) {
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(t)} ${k}\n`);
}

process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n`);
if (rest[0] === '--callers') {
  const re = new RegExp(rest[1] ?? '.');
  const depth = Number(rest[2] ?? 3);
  const chains = new Map();
  for (const [id, t] of selfTime) {
    const n = nodes.get(id);
    if (!re.test(frameName(n))) continue;
    const chain = [frameName(n)];
    for (let p = parentOf.get(id), i = 0; p !== undefined && i < depth; p = parentOf.get(p), i += 1) chain.push(frameName(nodes.get(p)));
    const key = chain.join(' < ');
    chains.set(key, (chains.get(key) ?? 0) + t);
  }
  printTop(chains, 20);
} else {
  const top = Number(rest[0] ?? 30);
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, t] of selfTime) {
    const n = nodes.get(id);
    byPackage.set(packageOf(n), (byPackage.get(packageOf(n)) ?? 0) + t);
    byFunction.set(frameName(n), (byFunction.get(frameName(n)) ?? 0) + t);
  }
  process.stdout.write('--- self time by package\n');
  printTop(byPackage, 25);
  process.stdout.write('--- self time by function\n');
  printTop(byFunction, top);
}
