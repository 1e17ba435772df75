'use strict';
const fs = require('node:fs');
const { percentile, fmtMs } = require('./common');

/**
 * The cycle trace: with CMD_EXECUTOR_CYCLE_TRACE=<file> in their environment, the API and the
 * agent append one line per step of an attempt (api/src/observability/cycle-trace.ts,
 * worker/src/util/cycle-trace.ts). This joins the lines of each attempt and says where one
 * slot's cycle spends its time: assignment pushed → received → spawned → exited → output closed
 * → completeJob sent → received → applied (slot freed) → acknowledged, and slot freed → the next
 * assignment pushed for the same worker. Client, API and agent share the machine's clock.
 */
const ENV = 'CMD_EXECUTOR_CYCLE_TRACE';

/** [label, from step, to step] — `api:`/`agent:` name whose line it is. */
const LEGS = [
  ['assignment pushed → agent has it', 'api:pushed', 'agent:recv'],
  ['received → process spawned', 'agent:recv', 'agent:spawned'],
  ['spawned → process exited', 'agent:spawned', 'agent:exited'],
  ['exited → output pipes closed', 'agent:exited', 'agent:closed'],
  ['pipes closed → startJob answer in hand', 'agent:closed', 'agent:start-known'],
  ['→ output acknowledged', 'agent:start-known', 'agent:flushed'],
  ['→ completeJob sent', 'agent:flushed', 'agent:complete-sent'],
  ['completeJob sent → API has it', 'agent:complete-sent', 'api:complete-recv'],
  ['API has it → lease ended (slot free)', 'api:complete-recv', 'api:ended'],
  ['lease ended → answer ready', 'api:ended', 'api:complete-done'],
  ['answer ready → agent has the ack', 'api:complete-done', 'agent:complete-acked'],
  ['(startJob: sent → API applied)', 'agent:start-sent', 'api:start-done'],
  ['(startJob: sent → acknowledged)', 'agent:start-sent', 'agent:start-acked'],
  ['(slot held: pushed → lease ended)', 'api:pushed', 'api:ended'],
];

function parse(file) {
  /** key → { 'api:step' | 'agent:step': ms } ; worker pushes and ends by worker id */
  const attempts = new Map();
  const pushes = new Map();
  const ends = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [ts, who, step, key, workerId, batch] = line.split(' ');
    if (!key) continue;
    const t = Number(ts);
    const side = who.startsWith('agent') ? 'agent' : 'api';
    if (!attempts.has(key)) attempts.set(key, {});
    const a = attempts.get(key);
    const name = `${side}:${step}`;
    if (a[name] === undefined) a[name] = t;
    if (batch !== undefined && a[`${name}#`] === undefined) a[`${name}#`] = Number(batch);
    if (side === 'api' && (step === 'pushed' || step === 'ended') && workerId && workerId !== '-') {
      const m = step === 'pushed' ? pushes : ends;
      if (!m.has(workerId)) m.set(workerId, []);
      m.get(workerId).push({ t, job: key.split('/')[0] });
    }
  }
  return { attempts, pushes, ends };
}

/** Slot freed (lease ended) → the next assignment pushed to the same worker, while work was queued. */
function refillGaps(pushes, ends, keys) {
  const gaps = [];
  const times = (list) => list.filter((x) => !keys || keys.has(x.job)).map((x) => x.t).sort((a, b) => a - b);
  for (const [workerId, endList] of ends) {
    const p = times(pushes.get(workerId) || []);
    const e = times(endList);
    let i = 0;
    for (const t of e) {
      while (i < p.length && p[i] < t) i++;
      if (i >= p.length) break; // nothing was left to push
      gaps.push(p[i] - t);
      i++;
    }
  }
  return gaps;
}

/** The breakdown as text lines (p50 and p90 of each leg over the attempts in `keys`, or all). */
function breakdown(file, keys) {
  const { attempts, pushes, ends } = parse(file);
  const wanted = keys ? [...attempts].filter(([k]) => keys.has(k.split('/')[0])) : [...attempts];
  const lines = [];
  for (const [label, from, to] of LEGS) {
    const v = wanted.map(([, a]) => a[to] - a[from]).filter(Number.isFinite);
    if (v.length === 0) continue;
    lines.push(`    ${label.padEnd(40)} p50 ${fmtMs(percentile(v, 50)).padStart(9)}   p90 ${fmtMs(percentile(v, 90)).padStart(9)}`);
  }
  const sizes = (step) => wanted.map(([, a]) => a[`${step}#`]).filter(Number.isFinite);
  for (const [label, step] of [['assignments per message', 'api:pushed'], ['attempts per startJob(s) call', 'api:start-recv'], ['attempts per completeJob(s) call', 'api:complete-recv']]) {
    const v = sizes(step);
    if (v.length > 0) lines.push(`    ${`(${label}, as each attempt saw it)`.padEnd(40)} mean ${(v.reduce((s, x) => s + x, 0) / v.length).toFixed(2).padStart(6)}   max ${Math.max(...v)}`);
  }
  const gaps = refillGaps(pushes, ends, keys);
  if (gaps.length > 0) {
    lines.push(`    ${'slot freed → next assignment pushed'.padEnd(40)} p50 ${fmtMs(percentile(gaps, 50)).padStart(9)}   p90 ${fmtMs(percentile(gaps, 90)).padStart(9)}`);
  }
  return { attempts: wanted.length, lines };
}

module.exports = { ENV, breakdown };
