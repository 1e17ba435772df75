#!/usr/bin/env node
/* Throughput of `true` jobs through one worker agent with 8 slots, against a bare Node loop
 * spawning `true` 8 at a time, both in this run.
 *
 * First `BENCH_WARMUP_JOBS` (100) jobs go through an agent started for them alone, untimed, so
 * the API runs compiled code as a server that has been up a while does (the first batch through
 * a cold API costs it about 1.5 ms more CPU per job); bench/peers/bullmq.bench.js does the same.
 * Then the jobs are queued (no worker connected), and the local agent starts as npm start
 * runs it (a child process of the API) with --concurrency 8; the clock runs from the first job seen leaving QUEUED (the agent
 * is connected and registered) until the last job is seen SUCCEEDED on a jobUpdated subscription.
 * Each job is the command string `true`, which the agent runs as `/bin/sh -c true` in its own
 * process group, streams (empty) output, and reports startJob and completeJob for. The bare
 * loop spawns /usr/bin/true with piped stdout/stderr, 8 in flight, until all have exited.
 * For comparison the same is measured with a second agent started by hand (worker/dist/cli.js):
 * since the local agent is a child process too, the two should be close.
 *
 * Where a slot's cycle spends its time is printed after the figures: the API and the agents
 * append one line per step of each attempt to a trace file (CMD_EXECUTOR_CYCLE_TRACE, set here
 * before they start; a few µs per step) and bench/lib/cycle-trace.js joins them.
 * BENCH_TRACE=0 leaves the trace off.
 *
 *   node bench/throughput.bench.js            (BENCH_THROUGHPUT_JOBS=400 by default)
 */
'use strict';
const path = require('node:path');
const { startCliAgent } = require('./lib/agent-process');
const { bareLoop } = require('./lib/baselines');
const { startServer } = require('./lib/server-process');
const { cpuSecs, agentCpuSecs, childrenOf } = require('./lib/proc-cpu');
const { gql, wsClient, subscribe, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, record, runMain, waitFor, fmtRatio } = require('./lib/common');
const cycleTrace = require('./lib/cycle-trace');
const { SUSTAINED_JOBS, SUSTAINED_FIGURE, sustainedRate } = require('./lib/sustained');

const JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS || 400);
const SLOTS = 8;
const REMOTE_LABEL = 'bench-remote';
const WARM_LABEL = 'bench-warm-up';
const SUSTAINED_LABEL = 'bench-sustained';
/** Jobs run before the timed runs (BENCH_WARMUP_JOBS; the peer bench reads the same). */
const WARMUP_JOBS = Number(process.env.BENCH_WARMUP_JOBS ?? 100);
const BENCH = 'throughput';
const fmtRate = (v) => `${v.toFixed(0)} jobs/s`;

async function main() {
  const workDir = tempDir('throughput');
  const traceFile = process.env.BENCH_TRACE === '0' ? undefined : path.join(workDir, 'cycle-trace.log');
  // Inherited by the API, its local agent and the agent started by hand.
  if (traceFile) process.env[cycleTrace.ENV] = traceFile;
  // Baseline first, on an idle machine state comparable to the system run that follows.
  await bareLoop(40, SLOTS); // warm-up
  const bareRate = await bareLoop(JOBS, SLOTS);

  const server = await startServer({ workDir, localAgent: null, label: 'throughput' });
  const ws = wsClient(server.wsUrl, server.adminToken);
  cleanup.add('ws client', () => ws.dispose());
  /** id → when this client first saw it leave QUEUED */
  const firstPicked = new Map();
  /** id → when this client saw it SUCCEEDED */
  const succeededAt = new Map();
  const failed = [];
  let subError;
  const unsubscribe = subscribe(
    ws,
    'subscription { jobUpdated { id status error } }',
    {},
    ({ jobUpdated: j }) => {
      if (j.status !== 'QUEUED' && !firstPicked.has(j.id)) firstPicked.set(j.id, wallMs());
      if (j.status === 'SUCCEEDED') succeededAt.set(j.id, wallMs());
      else if (['FAILED', 'CANCELED', 'TIMED_OUT'].includes(j.status)) failed.push(j);
    },
    (err) => (subError = err),
  );
  cleanup.add('jobUpdated subscription', unsubscribe);

  /**
   * Queues `JOBS` jobs (8 submissions in flight), starts an agent, times until all succeeded;
   * also the CPU the API and the agent spent per job meanwhile: the API's from the agent's
   * start (the submissions are not in it, the agent's registration is), the agent's from its
   * first job (its start-up, 250-320 ms of CPU here, would add 0.6-0.8 ms to each of 400 jobs;
   * the clock leaves it out too).
   */
  const run = async (input, startAgent, jobs = JOBS) => {
    const ids = [];
    let queued = 0;
    await Promise.all(
      Array.from({ length: SLOTS }, async () => {
        while (queued < jobs) {
          queued += 1;
          const { createJob } = await gql(server.url, CREATE_JOB, { input }, server.adminToken);
          ids.push(createJob.id);
        }
      }),
    );
    const apiCpu0 = cpuSecs(server.pid);
    const agentPid = await startAgent();
    let agentCpu0;
    await waitFor(`${jobs} jobs to succeed`, () => {
      if (subError) throw subError;
      if (agentCpu0 === undefined && ids.some((id) => firstPicked.has(id))) agentCpu0 = agentCpuSecs(agentPid);
      if (failed.length > 0) throw new Error(`a job ended ${failed[0].status}: ${failed[0].error}`);
      return ids.every((id) => succeededAt.has(id));
    }, 120_000, 2);
    const cpu = { api: ((cpuSecs(server.pid) - apiCpu0) * 1000) / jobs, agent: ((agentCpuSecs(agentPid) - (agentCpu0 ?? 0)) * 1000) / jobs };
    // From the first job assigned (the agent is up) to the last one seen SUCCEEDED.
    return { secs: (wallMs() - Math.min(...ids.map((id) => firstPicked.get(id)))) / 1000, ids, cpu };
  };

  // 0. untimed: a first batch through an agent of its own (stopped after), so the API's code is
  //    compiled before the timed runs, as in a server that has been up a while; the peer bench
  //    warms BullMQ the same way. Its agents start fresh in both.
  if (WARMUP_JOBS > 0) {
    const warmToken = await server.mintToken('warm-up', [WARM_LABEL]);
    let warmAgent;
    await run({ command: 'true', requirements: [WARM_LABEL] }, async () => {
      warmAgent = startCliAgent({ server, token: warmToken, name: 'warm-up', labels: [WARM_LABEL], concurrency: SLOTS, workDir: path.join(workDir, 'warm-up') });
      return warmAgent.child.pid;
    }, WARMUP_JOBS);
    warmAgent.child.kill('SIGTERM');
    await warmAgent.exited;
  }

  // 1. the embedded default: the local agent as npm start runs it (a child process of the API)
  const { secs, ids: localIds, cpu: localCpu } = await run({ command: 'true' }, async () => {
    const before = new Set(childrenOf(server.pid));
    await server.startAgent(SLOTS);
    return childrenOf(server.pid).find((p) => !before.has(p));
  });
  const rate = JOBS / secs;

  // 2. for comparison: an agent started by hand (worker/dist/cli.js), so the API and
  //    the agent do not share one event loop. Its label keeps these jobs off the local agent.
  const token = await server.mintToken('remote', [REMOTE_LABEL]);
  const { secs: remoteSecs, ids: remoteIds, cpu: remoteCpu } = await run({ command: 'true', requirements: [REMOTE_LABEL] }, async () => {
    const agent = startCliAgent({ server, token, name: 'remote', labels: [REMOTE_LABEL], concurrency: SLOTS, workDir: path.join(workDir, 'remote') });
    return agent.child.pid;
  });
  const remoteRate = JOBS / remoteSecs;

  // 3. sustained (lib/sustained.js): a fresh agent of its own through SUSTAINED_JOBS, the rate
  //    over the second half, once it and the API have been at it a while.
  let sustained;
  if (SUSTAINED_JOBS > 0) {
    const sustainedToken = await server.mintToken('sustained', [SUSTAINED_LABEL]);
    const { ids } = await run({ command: 'true', requirements: [SUSTAINED_LABEL] }, async () => {
      const agent = startCliAgent({ server, token: sustainedToken, name: 'sustained', labels: [SUSTAINED_LABEL], concurrency: SLOTS, workDir: path.join(workDir, 'sustained') });
      return agent.child.pid;
    }, SUSTAINED_JOBS);
    sustained = sustainedRate(ids.map((id) => succeededAt.get(id)).sort((a, b) => a - b));
  }

  process.stdout.write(
    `throughput: ${JOBS} \`true\` jobs, one agent with ${SLOTS} slots (the local agent of npm start): ${secs.toFixed(2)} s, ${rate.toFixed(0)} jobs/s\n` +
      `  same, the agent as its own process (worker/dist/cli.js): ${remoteSecs.toFixed(2)} s, ${remoteRate.toFixed(0)} jobs/s\n` +
      `  bare Node spawning \`true\` ${SLOTS} at a time: ${bareRate.toFixed(0)} spawns/s\n` +
      `  CPU per job (user + system): local agent run: API ${localCpu.api.toFixed(2)} ms, agent ${localCpu.agent.toFixed(2)} ms; ` +
      `agent as its own process: API ${remoteCpu.api.toFixed(2)} ms, agent ${remoteCpu.agent.toFixed(2)} ms\n` +
      (sustained === undefined ? '' : `  sustained: ${SUSTAINED_JOBS} jobs through a fresh agent of their own, the second half at ${sustained.toFixed(0)} jobs/s\n`),
  );
  if (traceFile) {
    for (const [what, ids] of [['the local agent', localIds], ['the agent as its own process', remoteIds]]) {
      const { attempts, lines } = cycleTrace.breakdown(traceFile, new Set(ids));
      process.stdout.write(`  where one slot's cycle goes, ${what} (${attempts} attempts, p50/p90 per job):\n${lines.join('\n')}\n`);
    }
  }
  record(BENCH, `throughput, 1 worker × ${SLOTS} slots`, rate, fmtRate);
  record(BENCH, `  bare Node spawn loop, ${SLOTS} at a time (baseline)`, bareRate, fmtRate);
  record(BENCH, 'throughput ratio (jobs / bare spawns)', rate / bareRate, fmtRatio, { op: '>=', target: 0.7, text: '≥ 0.7' });
  record(BENCH, '  ratio with the agent as its own process', remoteRate / bareRate, fmtRatio);
  record(BENCH, '  CPU per job, local agent run: API / agent', localCpu.api + localCpu.agent, () => `${localCpu.api.toFixed(2)} / ${localCpu.agent.toFixed(2)} ms`, undefined, localCpu);
  record(BENCH, '  API CPU per job (agent as its own process)', remoteCpu.api, (v) => `${v.toFixed(2)} ms`);
  if (sustained !== undefined) record(BENCH, SUSTAINED_FIGURE, sustained, fmtRate);
}

runMain('throughput', main, { timeoutMs: 300_000 });
