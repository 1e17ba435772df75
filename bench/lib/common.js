'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Cleanup steps, run last-in first-out once, on success, failure, a watchdog or a signal. */
const cleanup = {
  steps: [],
  ran: false,
  add(name, fn) {
    this.steps.push({ name, fn });
  },
  async run() {
    if (this.ran) return;
    this.ran = true;
    for (const step of this.steps.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        process.stderr.write(`cleanup of ${step.name} failed: ${err && err.message}\n`);
      }
    }
  },
};

/** A temporary directory removed at cleanup. */
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cmdx-bench-${prefix}-`));
  cleanup.add(`temp dir ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Wall-clock milliseconds with microsecond resolution (comparable with `date +%s%N`). */
function wallMs() {
  return performance.timeOrigin + performance.now();
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `pred()` holds (checked every `everyMs`), rejects after `timeoutMs`. */
async function waitFor(what, pred, timeoutMs, everyMs = 5) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Results of this benchmark: printed as a table, and appended to BENCH_RESULTS_FILE for bench/run.js. */
const results = [];

/**
 * @param figure what was measured
 * @param value the number
 * @param fmt how to print it (e.g. v => `${v.toFixed(1)} ms`)
 * @param goal optional { op: '<=' | '>=', target, text }
 */
function record(bench, figure, value, fmt, goal, parts) {
  const pass = goal ? (goal.op === '<=' ? value <= goal.target : value >= goal.target) : undefined;
  // `parts`: the figures a sum is made of, kept with the row for a bench that combines runs
  const row = { bench, figure, value, shown: fmt(value), goal: goal ? goal.text : '', pass, ...(parts ? { parts } : {}) };
  results.push(row);
  if (process.env.BENCH_RESULTS_FILE) fs.appendFileSync(process.env.BENCH_RESULTS_FILE, `${JSON.stringify(row)}\n`);
  return row;
}

function printTable(rows, out = process.stdout) {
  const head = ['figure', 'measured', 'goal', 'result'];
  const body = rows.map((r) => [r.figure, r.shown, r.goal || '—', r.pass === undefined ? 'info' : r.pass ? 'pass' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  out.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const b of body) out.write(`${line(b)}\n`);
}

/**
 * Runs a benchmark's main: bounded by `timeoutMs`, cleans up in every case (also on SIGINT
 * or SIGTERM), prints the table of its figures when run alone.
 */
function runMain(name, main, { timeoutMs }) {
  let finished = false;
  const finish = async (code) => {
    if (finished) return;
    finished = true;
    clearTimeout(watchdog);
    await cleanup.run();
    if (!process.env.BENCH_RESULTS_FILE && results.length > 0) {
      process.stdout.write(`\n${name}:\n`);
      printTable(results);
    }
    process.exit(code);
  };
  const watchdog = setTimeout(() => {
    process.stderr.write(`${name}: gave up after ${timeoutMs / 1000} s\n`);
    void finish(1);
  }, timeoutMs);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void finish(130));
  main().then(
    () => finish(0),
    (err) => {
      process.stderr.write(`${name} failed: ${err && err.stack ? err.stack : err}\n`);
      return finish(1);
    },
  );
}

const fmtMs = (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const fmtS = (v) => `${v.toFixed(2)} s`;
const fmtRatio = (v) => v.toFixed(2);

module.exports = { cleanup, tempDir, wallMs, percentile, sleep, waitFor, record, results, printTable, runMain, fmtMs, fmtS, fmtRatio };
