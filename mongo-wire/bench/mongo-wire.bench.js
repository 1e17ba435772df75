#!/usr/bin/env node
/* Benchmark of the embedded MongoDB-wire server (in memory) through the mongodb driver.
 *
 *   npm run build -w mongo-wire && node mongo-wire/bench/mongo-wire.bench.js   (or: npm run bench -w mongo-wire)
 *
 * Prints ops/sec for insertOne, findOneAndUpdate by an indexed field, find by an indexed field,
 * a job-claim (status prefix of a compound index + sort), the jobs list's newest-first page and
 * its next page (`$or` cursor filter) over the index {createdAt: -1, _id: -1}, and a jobLogs
 * page (`{jobId, attempt, seq: {$gt: n}}` sorted by seq) at 1k and 100k documents, and the
 * 100k/1k cost ratio of the indexed operations (should stay below 2: no collection scans).
 * A full sort without an index is shown for scale.
 * Falls back to transpiling mongo-wire/src with @swc/core when mongo-wire/dist is not built;
 * BENCH_MONGO_WIRE_SRC=<dir> transpiles another copy of the sources (to compare versions).
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MongoClient } = require('mongodb');

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const SIZES = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number);

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function loadServer() {
  const src = process.env.BENCH_MONGO_WIRE_SRC ? path.resolve(process.env.BENCH_MONGO_WIRE_SRC) : path.join(__dirname, '../src');
  const built = path.join(__dirname, '../dist/index.js');
  // The build, unless the sources changed since (a stale build would measure old code).
  if (!process.env.BENCH_MONGO_WIRE_SRC && fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource(src)) return require(built);
  const { transformFileSync } = require('@swc/core');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-wire-bench-'));
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        const dest = path.join(out, path.relative(src, full)).replace(/\.ts$/, '.js');
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, transformFileSync(full, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code);
      }
    }
  };
  walk(src);
  process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  module.paths.unshift(path.join(__dirname, '../../node_modules'));
  process.env.NODE_PATH = path.join(__dirname, '../../node_modules');
  require('node:module').Module._initPaths();
  process.stderr.write(`(mongo-wire/dist missing or older than the sources: using a transpiled copy in ${out})\n`);
  return require(path.join(out, 'index.js'));
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** Best of ROUNDS rounds: the machine is shared, and the best round is the least disturbed one. */
async function timed(label, ops, fn) {
  let best = Infinity;
  for (let round = 0, i = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < ops; k++, i++) await fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { label, ops, secs: best, opsPerSec: ops / best };
}

async function runSize(uri, size) {
  const client = new MongoClient(uri);
  await client.connect();
  const db = client.db(`bench_${size}`);
  const coll = db.collection('docs');
  await coll.createIndex({ key: 1 }, { unique: true });
  await coll.createIndex({ status: 1, priority: -1, queuedAt: 1 });
  await coll.createIndex({ createdAt: -1, _id: -1 });
  const logs = db.collection('jobLogs');
  await logs.createIndex({ jobId: 1, attempt: 1, seq: 1 }, { unique: true });
  const fillStart = Date.now();
  const batch = 1000;
  const T0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < size; i += batch) {
    const docs = [];
    for (let j = i; j < Math.min(size, i + batch); j++) {
      // Three jobs per millisecond: createdAt ties, broken by _id as the API's list does.
      docs.push({ key: `k${j}`, status: j % 1000 === 0 ? 'QUEUED' : 'DONE', priority: j % 5, queuedAt: new Date(j), createdAt: new Date(T0 + Math.floor(j / 3)), n: 0, payload: 'x'.repeat(100) });
    }
    await coll.insertMany(docs, { ordered: false });
  }
  // One job's output: LOG_JOBS jobs with size / LOG_JOBS chunks each, so a job's log grows with the size.
  const LOG_JOBS = 4;
  for (let i = 0; i < size; i += batch) {
    const docs = [];
    for (let j = i; j < Math.min(size, i + batch); j++) docs.push({ jobId: `job${j % LOG_JOBS}`, attempt: 1, seq: Math.floor(j / LOG_JOBS), data: 'y'.repeat(100) });
    await logs.insertMany(docs, { ordered: false });
  }
  const fillSecs = (Date.now() - fillStart) / 1000;
  const rnd = () => `k${Math.floor(Math.random() * size)}`;
  const results = [];
  results.push(await timed('insertOne', OPS, (i) => coll.insertOne({ key: `new${i}`, status: 'DONE', priority: 0, queuedAt: new Date(), createdAt: new Date(), n: 0 })));
  results.push(await timed('findOneAndUpdate by indexed key', OPS, () => coll.findOneAndUpdate({ key: rnd() }, { $inc: { n: 1 } }, { returnDocument: 'after' })));
  results.push(await timed('find by indexed key', OPS, () => coll.find({ key: rnd() }).toArray()));
  results.push(await timed('findOne by key, then by _id (2 round trips)', OPS, async () => coll.findOne({ _id: (await coll.findOne({ key: rnd() }, { projection: { _id: 1 } }))._id })));
  results.push(
    await timed('job claim (status prefix + sort), then requeue', Math.min(OPS, 1000), async () => {
      const job = await coll.findOneAndUpdate({ status: 'QUEUED', queuedAt: { $lte: new Date() } }, { $set: { status: 'ASSIGNED' } }, { sort: { priority: -1, queuedAt: 1 } });
      await coll.updateOne({ _id: job._id }, { $set: { status: 'QUEUED' } });
    }),
  );
  const PAGE_OPS = Number(process.env.BENCH_PAGE_OPS ?? Math.min(OPS, 500));
  const newest = { createdAt: -1, _id: -1 };
  results.push(await timed('newest-first page of 21 (index walk)', PAGE_OPS, () => coll.find({}).sort(newest).limit(21).toArray()));
  const all = await coll.find({}, { projection: { createdAt: 1 } }).sort(newest).toArray();
  results.push(
    await timed('next page: $or cursor at a random job', PAGE_OPS, () => {
      const c = all[Math.floor(Math.random() * (all.length - 1))];
      return coll.find({ $or: [{ createdAt: { $lt: c.createdAt } }, { createdAt: c.createdAt, _id: { $lt: c._id } }] }).sort(newest).limit(21).toArray();
    }),
  );
  const chunks = size / LOG_JOBS;
  results.push(
    await timed('jobLogs page: seq > n, sort seq, limit 100', PAGE_OPS, () =>
      logs.find({ jobId: `job${Math.floor(Math.random() * LOG_JOBS)}`, attempt: 1, seq: { $gt: Math.floor(Math.random() * chunks) } }).sort({ seq: 1 }).limit(100).toArray(),
    ),
  );
  // No index gives this order: a whole-collection sort per page, shown for scale.
  const scan = await timed('newest page by queuedAt (no index, full sort)', 5, () => coll.find({}).sort({ queuedAt: -1, _id: -1 }).limit(20).toArray());
  await db.dropDatabase();
  await client.close();
  return { size, fillSecs, results, scan };
}

/** Journaled inserts (--dbpath): one writer waits out every fsync; many writers share them (group commit). */
async function runDurable(startMongoWireServer) {
  const dbpath = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-wire-bench-db-'));
  const server = await startMongoWireServer({ port: 0, dbpath });
  const client = new MongoClient(server.uri, { maxPoolSize: 32 });
  try {
    await client.connect();
    const coll = client.db('bench_durable').collection('docs');
    const ops = Math.min(OPS, 500);
    const one = await timed('insertOne, 1 writer', ops, (i) => coll.insertOne({ i, w: 0 }));
    const writers = 16;
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < ops / 4; i++) await coll.insertOne({ i, w: w + 1 });
    }));
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    return [one, { label: `insertOne, ${writers} writers`, ops: writers * (ops / 4), secs, opsPerSec: (writers * (ops / 4)) / secs }];
  } finally {
    await client.close();
    await server.close();
    fs.rmSync(dbpath, { recursive: true, force: true });
  }
}

async function main() {
  const { startMongoWireServer } = loadServer();
  const server = await startMongoWireServer({ port: 0 });
  try {
    // Warm the JIT first so the small size is not measured cold.
    await runSize(server.uri, SIZES[0]);
    const runs = [];
    for (const size of SIZES) runs.push(await runSize(server.uri, size));
    console.log(`mongo-wire benchmark (in memory, mongodb driver, sequential ops, best of ${ROUNDS} rounds of ${OPS} ops; node ${process.version})`);
    for (const run of runs) {
      console.log(`\n${run.size} documents (filled with insertMany in ${run.fillSecs.toFixed(2)} s, ${Math.round(run.size / run.fillSecs)} docs/s)`);
      for (const r of [...run.results, run.scan]) console.log(`  ${r.label.padEnd(48)} ${Math.round(r.opsPerSec).toString().padStart(7)} ops/s`);
    }
    if (runs.length >= 2) {
      const [small, large] = [runs[0], runs[runs.length - 1]];
      console.log(`\ncost ratio ${large.size}/${small.size} (per-op time; < 2 means no scan):`);
      let worst = 0;
      for (const [i, r] of small.results.entries()) {
        const ratio = r.opsPerSec / large.results[i].opsPerSec;
        if (r.label !== 'insertOne') worst = Math.max(worst, ratio);
        console.log(`  ${r.label.padEnd(48)} ${ratio.toFixed(2)}`);
      }
      console.log(`worst indexed-op ratio: ${worst.toFixed(2)} ${worst < 2 ? '(ok)' : '(TOO HIGH)'}`);
      if (worst >= 2) process.exitCode = 1;
    }
    console.log(`\ndurable (--dbpath ${os.tmpdir()}, fsync before every acknowledgement):`);
    for (const r of await runDurable(startMongoWireServer)) console.log(`  ${r.label.padEnd(48)} ${Math.round(r.opsPerSec).toString().padStart(7)} ops/s`);
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
