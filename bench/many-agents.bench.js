#!/usr/bin/env node
/* 1,000 connected agents and a steady 50 jobs/s: what a large fleet costs the API.
 *
 * BENCH_AGENTS (1,000) simulated agents (lib/sim-agent.js: the worker channel over graphql-ws —
 * registerWorker with 1 slot, the `assignments` subscription, startJob and completeJob for each
 * job given, heartbeats at the server's interval — and no process) connect from
 * BENCH_AGENTS_PROCS (4) child processes (lib/sim-agent-swarm.js), all on one worker token.
 * Once all are registered and idle, this process sends createJob over HTTP at
 * BENCH_AGENTS_RATE (50) per second, open loop (each on its own schedule, not after the
 * previous answer), for BENCH_AGENTS_SECONDS (20) s. Each job is `true <n>`, requiring the
 * agents' label; n finds the job in the assignment.
 *
 * Measured: createJob p99 (request sent → answer received), assignment latency p99 (createJob
 * sent → the ASSIGN received by an agent, clocks of one machine), and the API process's RSS
 * (VmRSS of the embedded server's process, which also holds the in-memory store): before the
 * agents connect, with them connected and idle, and the peak under load. Registering the fleet
 * is bounded by BENCH_AGENTS_CONNECT_SECONDS (180): past it the goals are reported missed,
 * with how many agents got registered.
 *
 *   node bench/many-agents.bench.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');
const { cpuSecs } = require('./lib/proc-cpu');
const { startServer } = require('./lib/server-process');
const { gql, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, percentile, record, runMain, waitFor, sleep, fmtMs } = require('./lib/common');

const AGENTS = Number(process.env.BENCH_AGENTS || 1000);
const PROCS = Number(process.env.BENCH_AGENTS_PROCS || 4);
const RATE = Number(process.env.BENCH_AGENTS_RATE || 50);
const SECONDS = Number(process.env.BENCH_AGENTS_SECONDS || 20);
const CONNECT_S = Number(process.env.BENCH_AGENTS_CONNECT_SECONDS || 180);
const LABEL = 'bench-fleet';
/** How long the idle fleet's cost is measured: one heartbeat interval of the defaults (5 s). */
const IDLE_MEASURE_S = Number(process.env.BENCH_AGENTS_IDLE_SECONDS || 5);
const BENCH = 'many-agents';
const fmtMb = (v) => `${v.toFixed(0)} MB`;
const fmtPct = (v) => `${(v * 100).toFixed(0)}%`;

/** Soft limit on open files of a process (from /proc), or null when it cannot be read. */
function openFilesLimit(pid = 'self') {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return !m ? null : m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

function rssMb(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Forks a swarm of `names.length` agents; resolves once all are registered. */
function startSwarm(server, token, names, onAssigned, onFailed, onRegistered) {
  const child = fork(path.join(__dirname, 'lib/sim-agent-swarm.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup.add(`agent swarm ${names[0]}…`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send({ op: 'stop' });
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  });
  return new Promise((resolve, reject) => {
    child.on('message', (msg) => {
      if (msg.op === 'assigned') onAssigned(msg);
      else if (msg.op === 'registered') onRegistered(msg.n);
      else if (msg.op === 'ready') resolve(msg.ms);
      else if (msg.op === 'failed') {
        reject(new Error(msg.error));
        onFailed(new Error(msg.error));
      }
    });
    exited.then((code) => reject(new Error(`agent swarm exited (${code}) before it was ready`)));
    child.send({ op: 'start', wsUrl: server.wsUrl, token, names, labels: [LABEL] });
  });
}

async function main() {
  // Each agent is one socket in the API's process, and a quarter of them in each swarm's.
  const need = AGENTS + 200;
  const limit = openFilesLimit();
  if (limit !== null && limit < need) throw new Error(`open files limit is ${limit}; ${AGENTS} agents need about ${need} in the API's process: raise it (ulimit -n ${need * 2})`);

  const workDir = tempDir('many-agents');
  const server = await startServer({ workDir, localAgent: null, label: 'many-agents' });
  const token = await server.mintToken('fleet', [LABEL]);
  const rssBefore = rssMb(server.pid);

  /** job number → createJob sent at; → ASSIGN received at */
  const sentAt = new Map();
  const assignedAt = new Map();
  let swarmError;
  const onAssigned = ({ command, at }) => {
    const n = Number(/^true (\d+)$/.exec(command || '')?.[1]);
    if (Number.isInteger(n)) assignedAt.set(n, at);
  };
  const t0 = Date.now();
  const perProc = Math.ceil(AGENTS / PROCS);
  const registered = new Array(PROCS).fill(0);
  let lastReport = 0;
  const swarms = Promise.all(
    Array.from({ length: PROCS }, (_, p) => {
      const names = Array.from({ length: Math.min(perProc, AGENTS - p * perProc) }, (_, i) => `sim-${p}-${i}`);
      return startSwarm(server, token, names, onAssigned, (e) => (swarmError = swarmError || e), (n) => {
        registered[p] = n;
        const sum = registered.reduce((a, b) => a + b, 0);
        if (sum - lastReport >= 100) {
          lastReport = sum;
          process.stdout.write(`many-agents: ${sum} agents registered after ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
        }
      });
    }),
  );
  // Registration is bounded: a fleet that cannot even connect is the finding, reported as such.
  const connected = await Promise.race([swarms.then(() => true), sleep(CONNECT_S * 1000).then(() => false)]);
  const connectSecs = (Date.now() - t0) / 1000;
  if (!connected) {
    const sum = registered.reduce((a, b) => a + b, 0);
    const why = `not reached: ${sum} of ${AGENTS} agents registered in ${CONNECT_S} s`;
    process.stdout.write(`many-agents: ${why}; API RSS ${rssMb(server.pid).toFixed(0)} MB\n`);
    record(BENCH, `${AGENTS} agents + ${RATE} jobs/s: createJob p99`, Infinity, () => why, { op: '<=', target: 50, text: '≤ 50 ms' });
    record(BENCH, `${AGENTS} agents + ${RATE} jobs/s: assignment latency p99`, Infinity, () => why, { op: '<=', target: 100, text: '≤ 100 ms' });
    record(BENCH, `${AGENTS} agents: API RSS with ${sum} registered`, rssMb(server.pid), fmtMb);
    return;
  }
  // No "subscribed" signal from graphql-ws: give the last subscriptions a moment.
  await sleep(2_000);
  const { workers } = await gql(server.url, 'query { workers { status } }', {}, server.adminToken);
  const online = workers.filter((w) => w.status === 'ONLINE').length;
  if (online < AGENTS) throw new Error(`${online} of ${AGENTS} simulated agents ONLINE`);
  const rssIdle = rssMb(server.pid);
  process.stdout.write(`many-agents: ${AGENTS} agents from ${PROCS} processes registered in ${connectSecs.toFixed(1)} s; API RSS ${rssBefore.toFixed(0)} → ${rssIdle.toFixed(0)} MB\n`);
  // What the idle fleet alone costs the API (its heartbeats), as a share of one core.
  const idleCpu0 = cpuSecs(server.pid);
  await sleep(IDLE_MEASURE_S * 1000);
  const idleCpuShare = (cpuSecs(server.pid) - idleCpu0) / IDLE_MEASURE_S;

  let rssPeak = rssIdle;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(server.pid))), 250);
  cleanup.add('RSS sampler', () => clearInterval(sampler));

  const total = RATE * SECONDS;
  const createMs = [];
  const errors = [];
  const start = wallMs() + 50;
  const loadCpu0 = cpuSecs(server.pid);
  await Promise.all(
    Array.from({ length: total }, async (_, n) => {
      const delay = start + (n * 1000) / RATE - wallMs();
      if (delay > 0) await sleep(delay);
      const t = wallMs();
      sentAt.set(n, t);
      try {
        await gql(server.url, CREATE_JOB, { input: { command: `true ${n}`, requirements: [LABEL] } }, server.adminToken);
        createMs.push(wallMs() - t);
      } catch (err) {
        errors.push(err);
      }
    }),
  );
  if (errors.length > 0) throw new Error(`${errors.length} createJob calls failed, first: ${errors[0].message}`);
  const sendSecs = (wallMs() - start) / 1000;
  const loadCpuShare = (cpuSecs(server.pid) - loadCpu0) / sendSecs;
  await waitFor(`${total} assignments`, () => {
    if (swarmError) throw swarmError;
    return assignedAt.size >= total;
  }, 60_000, 10);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssMb(server.pid));
  const assignMs = [...sentAt].map(([n, t]) => assignedAt.get(n) - t);

  process.stdout.write(
    `many-agents: ${total} createJob calls at ${RATE}/s (${(total / sendSecs).toFixed(1)}/s achieved) to ${AGENTS} agents of 1 slot\n` +
      `  createJob: p50 ${percentile(createMs, 50).toFixed(1)} ms, p99 ${percentile(createMs, 99).toFixed(1)} ms, max ${Math.max(...createMs).toFixed(1)} ms\n` +
      `  createJob sent → assignment received: p50 ${percentile(assignMs, 50).toFixed(1)} ms, p99 ${percentile(assignMs, 99).toFixed(1)} ms, max ${Math.max(...assignMs).toFixed(1)} ms\n` +
      `  API RSS: ${rssBefore.toFixed(0)} MB before the agents, ${rssIdle.toFixed(0)} MB with them idle, ${rssPeak.toFixed(0)} MB peak under load\n` +
      `  API CPU, share of one core: ${fmtPct(idleCpuShare)} with the fleet idle (heartbeats, ${IDLE_MEASURE_S} s), ${fmtPct(loadCpuShare)} under load\n`,
  );
  record(BENCH, `${AGENTS} agents + ${RATE} jobs/s: createJob p99`, percentile(createMs, 99), fmtMs, { op: '<=', target: 50, text: '≤ 50 ms' });
  record(BENCH, `${AGENTS} agents + ${RATE} jobs/s: assignment latency p99`, percentile(assignMs, 99), fmtMs, { op: '<=', target: 100, text: '≤ 100 ms' });
  record(BENCH, `  createJob / assignment latency p50`, percentile(assignMs, 50), () => `${fmtMs(percentile(createMs, 50))} / ${fmtMs(percentile(assignMs, 50))}`);
  record(BENCH, `${AGENTS} agents: API RSS idle / peak (with the in-memory store)`, rssPeak, () => `${fmtMb(rssIdle)} / ${fmtMb(rssPeak)}`);
  record(BENCH, `${AGENTS} agents: API CPU idle / under load (share of one core)`, loadCpuShare, () => `${fmtPct(idleCpuShare)} / ${fmtPct(loadCpuShare)}`);
}

runMain('many-agents', main, { timeoutMs: 600_000 });
