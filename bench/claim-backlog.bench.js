#!/usr/bin/env node
/* Claim time with a deep queue: does claiming the next job cost more when 100,000 jobs are
 * QUEUED than when 1,000 are?
 *
 * Claim time = completeJob sent by a worker with 1 slot → its next ASSIGN received: the slot
 * frees, the dispatcher claims the best QUEUED job the worker may run (one atomic
 * findOneAndUpdate sorted by priority then queue time) and pushes it. The worker is a
 * simulated agent (lib/sim-agent.js: the worker channel over graphql-ws, no process), so the
 * figure is the server's and the store's alone. Every job queued can run on it.
 *
 * The backlog: one job created through createJob (`true`, requiring the label `bench-claim`),
 * then copies of its stored document inserted straight into the embedded store (a new _id,
 * queued a millisecond apart, ahead of it) — 100,000 createJob calls would take minutes.
 * Two embedded servers, one with 1,000 queued and one with 100,000, each with one agent
 * running BENCH_CLAIM_JOBS (300) jobs; both agents run at the same time, so the machine's
 * load (shared, drifting) weighs on both alike. Reported: p50 and p99 of each, and the ratio
 * of the p50s (goal ≤ 2×). The first 50 claims of each are a warm-up, not counted.
 * A third server, at the same time (info, BENCH_CLAIM_OTHER=0 leaves it out): 1,000 jobs the
 * agent may run queued behind 100,000 it may not (they require a label it lacks) — the claim's
 * index walk (status, priority, queue time) passes every one of those before it finds a match;
 * 60 claims, the first 10 not counted.
 *
 *   node bench/claim-backlog.bench.js          (BENCH_CLAIM_JOBS=300, BENCH_CLAIM_BACKLOG=100000)
 */
'use strict';
const { startServer } = require('./lib/server-process');
const { startSimAgent } = require('./lib/sim-agent');
const { gql, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, percentile, record, runMain, waitFor, fmtMs, fmtRatio } = require('./lib/common');

const JOBS = Number(process.env.BENCH_CLAIM_JOBS || 300);
const WARMUP = 50;
const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_CLAIM_BACKLOG || 100_000);
const LABEL = 'bench-claim';
const OTHER_LABEL = 'bench-other';
const OTHER = process.env.BENCH_CLAIM_OTHER !== '0';
const OTHER_JOBS = 60;
const BENCH = 'claim-backlog';

/** An agent runs `jobs` jobs off the backlog; returns the claim times (ms) after the first `warmup`. */
async function claimRun(server, token, name, jobs = JOBS, warmup = WARMUP) {
  const claims = [];
  let lastSent = null;
  let errors = null;
  const agent = await startSimAgent({
    wsUrl: server.wsUrl,
    token,
    name,
    labels: [LABEL],
    capacity: 1,
    onAssigned: ({ at }) => {
      if (lastSent !== null) claims.push(at - lastSent);
      lastSent = null;
    },
    onCompleted: ({ sentAt: t }) => {
      // 1 slot: the next ASSIGN can only follow this completeJob.
      lastSent = t;
    },
    onError: (e) => (errors = errors || e),
  });
  cleanup.add(`agent ${name}`, () => agent.close());
  await waitFor(`${jobs} claims by ${name}`, () => {
    if (errors) throw errors;
    return claims.length >= jobs;
  }, 240_000, 2);
  await agent.close();
  return claims.slice(warmup, jobs);
}

/**
 * An embedded server with `queued` jobs QUEUED that an agent labelled LABEL may run, behind
 * `others` that it may not (they require OTHER_LABEL).
 */
async function serverWithBacklog(workDir, queued, label, others = 0) {
  const server = await startServer({ workDir, localAgent: null, label });
  const token = await server.mintToken('claim', [LABEL]);
  if (others > 0) {
    const other = await gql(server.url, CREATE_JOB, { input: { command: 'true', requirements: [OTHER_LABEL] } }, server.adminToken);
    const ms = await server.cloneJobs(other.createJob.id, others - 1);
    process.stdout.write(`claim-backlog: ${others - 1} jobs for another label queued into the store of ${label} in ${ms} ms\n`);
  }
  const { createJob } = await gql(server.url, CREATE_JOB, { input: { command: 'true', requirements: [LABEL] } }, server.adminToken);
  const ms = await server.cloneJobs(createJob.id, queued - 1);
  process.stdout.write(`claim-backlog: ${queued - 1} jobs queued into the store of ${label} in ${ms} ms\n`);
  return { server, token };
}

async function main() {
  const workDir = tempDir('claim');
  const [a, b, c] = await Promise.all([
    serverWithBacklog(workDir, SMALL, 'claim-1k'),
    serverWithBacklog(workDir, LARGE, 'claim-100k'),
    OTHER ? serverWithBacklog(workDir, SMALL, 'claim-behind-100k', LARGE) : null,
  ]);
  const [small, large, behind] = await Promise.all([
    claimRun(a.server, a.token, 'claim-1k'),
    claimRun(b.server, b.token, 'claim-100k'),
    // Each of its claims walks the 100,000 first: fewer of them.
    c ? claimRun(c.server, c.token, 'claim-behind-100k', OTHER_JOBS, 10) : null,
  ]);

  const p = (v, q) => percentile(v, q);
  process.stdout.write(
    `claim-backlog: completeJob sent → next assignment received, 1 slot, ${large.length} claims each\n` +
      `  ${SMALL} queued: p50 ${p(small, 50).toFixed(2)} ms, p99 ${p(small, 99).toFixed(2)} ms\n` +
      `  ${LARGE} queued: p50 ${p(large, 50).toFixed(2)} ms, p99 ${p(large, 99).toFixed(2)} ms\n` +
      (behind ? `  ${SMALL} queued behind ${LARGE} for another label: p50 ${p(behind, 50).toFixed(2)} ms, p99 ${p(behind, 99).toFixed(2)} ms\n` : ''),
  );
  record(BENCH, `claim p50, ${SMALL.toLocaleString('en')} queued`, p(small, 50), fmtMs);
  record(BENCH, `claim p50, ${LARGE.toLocaleString('en')} queued`, p(large, 50), fmtMs);
  record(BENCH, `claim p99, ${SMALL.toLocaleString('en')} / ${LARGE.toLocaleString('en')} queued`, p(large, 99), () => `${fmtMs(p(small, 99))} / ${fmtMs(p(large, 99))}`);
  if (behind) {
    record(BENCH, `claim p50, behind ${LARGE.toLocaleString('en')} for another label`, p(behind, 50), fmtMs);
    record(BENCH, `  ratio to ${SMALL.toLocaleString('en')} queued (info)`, p(behind, 50) / p(small, 50), fmtRatio);
  }
  record(BENCH, `claim time ratio, ${LARGE.toLocaleString('en')} vs ${SMALL.toLocaleString('en')} queued (p50)`, p(large, 50) / p(small, 50), fmtRatio, { op: '<=', target: 2, text: '≤ 2' });
}

runMain('claim-backlog', main, { timeoutMs: 480_000 });
