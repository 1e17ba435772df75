#!/usr/bin/env node
/* Live log streaming to a jobLogs subscriber over graphql-ws.
 *
 * 1. Rate: a job writes 100 MB of 100-byte lines (`yes <99 chars> | head -c 100000000`) to
 *    stdout; a subscriber opened right after createJob counts the STDOUT bytes it receives.
 *    The rate (createJob sent → last byte received) is compared with the raw pipe rate of the
 *    same producer spawned by Node in this run (spawn → last byte read from its stdout pipe).
 *    The API runs with LOG_MAX_BYTES raised to 256 MiB so nothing is cut. Measured with the
 *    local agent as npm start runs it (a child process of the API), then with an agent started by hand as its own
 *    process (worker/dist/cli.js) for comparison.
 *    Both runs come after an untimed one of BENCH_LOG_WARMUP_BYTES (20 MB) through the local agent.
 * 2. Latency: a job prints its wall clock (ms, µs resolution) 50 times a second for 4 s;
 *    the subscriber compares each line with its own clock on receipt (same machine, same clock).
 *
 *   node bench/log-stream.bench.js           (BENCH_LOG_BYTES=100000000 by default)
 */
'use strict';
const path = require('node:path');
const { startCliAgent } = require('./lib/agent-process');
const { cpuSecs, agentCpuSecs, childrenOf } = require('./lib/proc-cpu');
const { logProducer, rawPipeRate } = require('./lib/baselines');
const { startServer } = require('./lib/server-process');
const { gql, wsClient, subscribe, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, percentile, record, runMain, waitFor, fmtMs, fmtRatio } = require('./lib/common');

const BYTES = Number(process.env.BENCH_LOG_BYTES || 100_000_000);
// untimed first: the API's log path compiled, as in a server that has been up a while (the
// first 100 MB after a start cost the API about 1 s more CPU); the throughput bench does the same
const WARMUP_BYTES = Number(process.env.BENCH_LOG_WARMUP_BYTES ?? 20_000_000);
const LATENCY_LINES = 200;
const LATENCY_EVERY_MS = 20;
const BENCH = 'logs';
const REMOTE_LABEL = 'bench-remote';
const fmtRate = (v) => `${v.toFixed(1)} MB/s`;
const JOB_LOGS = 'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { seq stream data } } }';

/** Subscribes to a job's logs; `onChunk(chunk, receivedAtMs)` per STDOUT chunk (an event carries one or more). */
function followLogs(ws, id, onChunk) {
  const state = { error: undefined, seqs: [], bytes: 0, system: [], events: 0 };
  const unsubscribe = subscribe(
    ws,
    JOB_LOGS,
    { id },
    ({ jobLogs }) => {
      const at = wallMs();
      state.events += 1;
      for (const c of jobLogs.chunks) {
        state.seqs.push(c.seq);
        state.bytes += Buffer.byteLength(c.data);
        if (c.stream === 'STDOUT') onChunk(c, at);
        else if (c.stream === 'SYSTEM') state.system.push(c.data.trim());
      }
    },
    (err) => (state.error = err),
  );
  cleanup.add(`jobLogs ${id}`, unsubscribe);
  state.unsubscribe = unsubscribe;
  return state;
}

async function jobState(server, id) {
  const { job } = await gql(server.url, 'query($id: ID!) { job(id: $id) { status logBytes logTruncated error } }', { id }, server.adminToken);
  return job;
}

async function main() {
  const workDir = tempDir('logs');
  await rawPipeRate(BYTES); // warm-up (page cache, binaries)
  // The baseline is the median of three raw runs (before, between and after the two measured
  // runs): one run alone moved by ±25% here from one bench run to the next, and the ratio with it.
  const rawRates = [await rawPipeRate(BYTES)];

  const server = await startServer({ workDir, env: { LOG_MAX_BYTES: String(256 * 1024 * 1024) }, localAgent: { concurrency: 2 }, label: 'logs' });
  const ws = wsClient(server.wsUrl, server.adminToken);
  cleanup.add('ws client', () => ws.dispose());

  // --- latency: timestamped lines at a modest rate
  const script =
    `let i=0;const t=setInterval(()=>{process.stdout.write((performance.timeOrigin+performance.now()).toFixed(3)+'\\n');` +
    `if(++i>=${LATENCY_LINES})clearInterval(t)},${LATENCY_EVERY_MS})`;
  const lat = await gql(server.url, CREATE_JOB, { input: { command: process.execPath, args: ['-e', script] } }, server.adminToken);
  const delays = [];
  let partial = '';
  const latSub = followLogs(ws, lat.createJob.id, (c, at) => {
    const lines = (partial + c.data).split('\n');
    partial = lines.pop();
    for (const l of lines) if (l) delays.push(at - Number(l));
  });
  await waitFor('timestamped lines', () => {
    if (latSub.error) throw latSub.error;
    return delays.length >= LATENCY_LINES;
  }, 30_000, 20);
  latSub.unsubscribe();

  // --- rate: 100 MB through the whole path, local agent first, then the agent as its own process
  const localAgentPids = childrenOf(server.pid);
  if (WARMUP_BYTES > 0) await streamBig(server, ws, {}, localAgentPids, WARMUP_BYTES);
  const local = await streamBig(server, ws, {}, localAgentPids);
  rawRates.push(await rawPipeRate(BYTES));
  const token = await server.mintToken('remote', [REMOTE_LABEL]);
  const remoteAgent = startCliAgent({ server, token, name: 'remote', labels: [REMOTE_LABEL], concurrency: 1, workDir: path.join(workDir, 'remote') });
  await remoteAgent.online();
  const remote = await streamBig(server, ws, { requirements: [REMOTE_LABEL] }, [remoteAgent.child.pid]);
  rawRates.push(await rawPipeRate(BYTES));
  const rawRate = [...rawRates].sort((a, b) => a - b)[1];

  const describe = (r) =>
    `${r.rate.toFixed(1)} MB/s (${r.secs.toFixed(2)} s, ${r.seqs.length} chunks in ${r.events} events, seqs ${r.gapFree ? 'contiguous' : 'WITH GAPS'}, ` +
    `received ${r.received} bytes, job ${r.job.status}, logBytes ${r.job.logBytes}, truncated ${r.job.logTruncated})\n` +
    `    CPU meanwhile: API ${r.cpu.api.toFixed(2)} s, agent ${r.cpu.agent.toFixed(2)} s, subscriber (this process) ${r.cpu.subscriber.toFixed(2)} s`;
  process.stdout.write(
    `logs: ${BYTES / 1e6} MB job output to a live jobLogs subscriber, local agent (as npm start runs it): ${describe(local)}\n` +
      `  same, the agent as its own process (worker/dist/cli.js): ${describe(remote)}\n` +
      `  same producer piped straight into Node: ${rawRate.toFixed(1)} MB/s (median of ${rawRates.map((r) => r.toFixed(1)).join(', ')}: before, between and after the two)\n` +
      `  write → subscriber latency over ${delays.length} lines: p50 ${fmtMs(percentile(delays, 50))}, p90 ${fmtMs(percentile(delays, 90))}, p99 ${fmtMs(percentile(delays, 99))}\n`,
  );
  const rate = local.rate;
  const lostNote = (r) => (r.received < BYTES ? ` (${((BYTES - r.received) / 1e6).toFixed(1)} MB of it lost!)` : '');
  record(BENCH, `${BYTES / 1e6} MB stdout → live subscriber`, rate, fmtRate);
  record(BENCH, '  raw pipe rate of the same producer (baseline, median of 3)', rawRate, fmtRate);
  record(BENCH, 'log streaming ratio (subscriber / raw pipe)', rate / rawRate, (v) => `${fmtRatio(v)}${lostNote(local)}`, { op: '>=', target: 0.5, text: '≥ 0.5' });
  record(BENCH, '  ratio with the agent as its own process', remote.rate / rawRate, (v) => `${fmtRatio(v)}${lostNote(remote)}`);
  record(BENCH, '  API CPU for the 100 MB (local agent run)', local.cpu.api, (v) => `${v.toFixed(2)} s`);
  record(BENCH, '  local agent CPU for the 100 MB', local.cpu.agent, (v) => `${v.toFixed(2)} s`);
  record(BENCH, 'write → subscriber latency p50', percentile(delays, 50), fmtMs, { op: '<=', target: 100, text: '≤ 100 ms' });
  record(BENCH, '  write → subscriber latency p99', percentile(delays, 99), fmtMs);
  // Output lost without any failure is a finding (bench-findings.md), not a reason to stop.
  for (const [name, r] of [['local agent', local], ['agent started by hand', remote]]) {
    if (r.received !== BYTES || !r.gapFree || r.job.status !== 'SUCCEEDED') {
      process.stdout.write(`  !! ${name}: the subscriber got ${r.received} of ${BYTES} bytes; SYSTEM lines: ${JSON.stringify(r.system)}\n`);
      record(BENCH, `stdout bytes lost, ${name}`, BYTES - r.received, (v) => `${(v / 1e6).toFixed(1)} MB`, { op: '<=', target: 0, text: 'none' });
    }
  }
}

/**
 * Runs the 100 MB producer as a job and follows it from createJob to its last byte. Also the
 * CPU seconds the API, the agent (`agentPids`; its job processes not counted) and this process
 * (the subscriber) spent meanwhile: what the machine's load moves least.
 */
async function streamBig(server, ws, extraInput, agentPids, bytes = BYTES) {
  let received = 0;
  let tLast = 0;
  const agentCpu = () => agentPids.reduce((n, p) => n + agentCpuSecs(p), 0);
  const cpu0 = { api: cpuSecs(server.pid), agent: agentCpu(), subscriber: process.cpuUsage() };
  const t0 = wallMs();
  const { createJob } = await gql(server.url, CREATE_JOB, { input: { command: logProducer(bytes), ...extraInput } }, server.adminToken);
  const sub = followLogs(ws, createJob.id, (c, at) => {
    received += c.data.length; // ASCII: one char per byte
    tLast = at;
  });
  // Done when every byte arrived, or when the job has ended and the subscriber holds all it stored.
  let job;
  let nextPoll = 0;
  await waitFor(`${bytes} bytes on the subscription`, async () => {
    if (sub.error) throw sub.error;
    if (received >= bytes) return true;
    if (Date.now() < nextPoll) return false;
    nextPoll = Date.now() + 500;
    job = await jobState(server, createJob.id);
    return !['QUEUED', 'ASSIGNED', 'RUNNING'].includes(job.status) && sub.bytes >= job.logBytes;
  }, 100_000, 10).catch(async (err) => {
    throw new Error(`${err.message}: received ${received} bytes in ${sub.seqs.length} chunks (last seq ${sub.seqs.at(-1)}); job ${JSON.stringify(job)}`);
  });
  const sub1 = process.cpuUsage(cpu0.subscriber);
  const cpu = { api: cpuSecs(server.pid) - cpu0.api, agent: agentCpu() - cpu0.agent, subscriber: (sub1.user + sub1.system) / 1e6 };
  job = await pollFinished(server, createJob.id);
  sub.unsubscribe();
  const seqs = sub.seqs;
  const secs = (tLast - t0) / 1000;
  return { rate: received / 1e6 / secs, secs, received, seqs, events: sub.events, system: sub.system, cpu, gapFree: seqs.every((v, i) => i === 0 || v === seqs[i - 1] + 1), job };
}

/** The job's final state (or its state after 60 s). */
async function pollFinished(server, id) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await jobState(server, id);
    if (!['QUEUED', 'ASSIGNED', 'RUNNING'].includes(job.status) || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

runMain('log-stream', main, { timeoutMs: 200_000 });
