#!/usr/bin/env node
/* One closing line for the whole test run: jest prints a summary per tier (unit, integration,
 * e2e), and a reader of the CI log — person or tool — wants one total at the end.
 *
 *   node scripts/test-summary.js reset   forget the results of an earlier run (and make the folder)
 *   node scripts/test-summary.js init    make the folder (each tier's script runs it first)
 *   node scripts/test-summary.js         print a line per tier, then "N passed, N failed, N skipped"
 *                                        alone on the last line (the plain form CI reads)
 *
 * Each tier writes jest's JSON result to test-output/results/<tier>.json (see package.json).
 * A tier whose result is missing counts as a failure: the summary never hides a tier that did
 * not run.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DIR = path.join(__dirname, '..', 'test-output', 'results');
const TIERS = ['unit', 'integration', 'e2e'];

if (process.argv[2] === 'reset' || process.argv[2] === 'init') {
  if (process.argv[2] === 'reset') fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true }); // jest does not create the --outputFile's folder
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const tier of TIERS) {
  const file = path.join(DIR, `${tier}.json`);
  if (!fs.existsSync(file)) {
    missing.push(tier);
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  process.stdout.write(`${tier}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped\n`);
}
if (missing.length > 0) process.stdout.write(`no result from: ${missing.join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed + missing.length} failed, ${skipped} skipped\n`);
process.exit(failed + missing.length > 0 ? 1 : 0);
