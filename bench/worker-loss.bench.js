#!/usr/bin/env node
/* Time from `kill -9` of a worker agent (a separate `node worker/dist/cli.js` process) running a
 * job to that job being queued again, seen on a jobUpdated subscription.
 *
 * Nothing tells the API a worker died except silence: its assignment's lease (LEASE_SECONDS,
 * renewed by every heartbeat, HEARTBEAT_SECONDS) lapses, and the sweeper, which runs every
 * min(HEARTBEAT_SECONDS, LEASE_SECONDS / 3), requeues the job. So
 *   kill → requeue = (last heartbeat + lease − kill) + wait for the next sweep
 *                  ∈ [lease − heartbeat, lease + sweep interval]
 * and it scales linearly with LEASE_SECONDS. Measured with the defaults (15 s / 5 s) and, in
 * parallel on a second API, with LEASE_SECONDS=6 HEARTBEAT_SECONDS=2 to show the scaling.
 *
 *   node bench/worker-loss.bench.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ROOT } = require('./lib/built');
const { startServer } = require('./lib/server-process');
const { gql, wsClient, subscribe, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, sleep, record, runMain, waitFor, fmtS } = require('./lib/common');

const BENCH = 'worker-loss';
const LABEL = 'bench-kill';

async function measure({ leaseSeconds, heartbeatSeconds, name }) {
  const workDir = tempDir(`loss-${leaseSeconds}`);
  const env = leaseSeconds === 15 ? {} : { LEASE_SECONDS: String(leaseSeconds), HEARTBEAT_SECONDS: String(heartbeatSeconds) };
  const server = await startServer({ workDir, env, localAgent: null, label: name });
  const ws = wsClient(server.wsUrl, server.adminToken);
  cleanup.add('ws client', () => ws.dispose());
  const events = [];
  let subError;
  const unsubscribe = subscribe(
    ws,
    'subscription { jobUpdated { id status attempt } }',
    {},
    ({ jobUpdated: j }) => events.push({ ...j, at: wallMs() }),
    (err) => (subError = err),
  );
  cleanup.add('jobUpdated subscription', unsubscribe);
  await sleep(200); // let the subscription go live before the job exists

  const token = await server.mintToken('victim', [LABEL]);
  const agent = spawn(
    process.execPath,
    [path.join(ROOT, 'worker/dist/cli.js'), '--server', server.url, '--name', 'victim', '--labels', LABEL,
      '--concurrency', '1', '--work-dir', path.join(workDir, 'agent'), '--sandbox', 'none', '--log-level', 'error'],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CMD_EXECUTOR_WORKER_TOKEN: token } },
  );
  const agentExit = new Promise((resolve) => agent.once('exit', resolve));
  cleanup.add('victim agent', () => {
    if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
  });

  // The job's shell records its pid and execs sleep: after the agent dies, the sleep is an
  // orphan in its own process group, killed at cleanup by that pid.
  const pidFile = path.join(workDir, 'job.pid');
  cleanup.add('orphaned job process', () => {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone or never started
    }
  });
  const { createJob } = await gql(
    server.url,
    CREATE_JOB,
    { input: { command: `echo $$ > ${pidFile}; exec sleep 300`, requirements: [LABEL], maxAttempts: 3 } },
    server.adminToken,
  );
  const id = createJob.id;
  const ofJob = (pred) => () => {
    if (subError) throw subError;
    return events.find((e) => e.id === id && pred(e));
  };
  await waitFor('the job to run on the victim', ofJob((e) => e.status === 'RUNNING'), 20_000);
  await waitFor('the job pid file', () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), 5_000);
  await sleep(1000);

  const { workers } = await gql(server.url, 'query { workers { name lastHeartbeatAt } }', {}, server.adminToken);
  const lastBeat = Date.parse(workers.find((w) => w.name === 'victim').lastHeartbeatAt);
  const tKill = wallMs();
  agent.kill('SIGKILL');
  await agentExit;
  const requeued = await waitFor(
    'the job to be requeued',
    ofJob((e) => e.at > tKill && (e.status === 'QUEUED' || e.status === 'FAILED')),
    (leaseSeconds + heartbeatSeconds) * 1000 + 15_000,
    10,
  );
  if (requeued.status !== 'QUEUED' || requeued.attempt !== 2) throw new Error(`expected QUEUED attempt 2, got ${requeued.status} attempt ${requeued.attempt}`);
  const secs = (requeued.at - tKill) / 1000;
  const sweepSecs = Math.min(heartbeatSeconds, leaseSeconds / 3);
  const lapse = (lastBeat + leaseSeconds * 1000 - tKill) / 1000;
  return { leaseSeconds, heartbeatSeconds, sweepSecs, secs, lapse, sinceBeat: (tKill - lastBeat) / 1000 };
}

async function main() {
  const runs = await Promise.all([
    measure({ leaseSeconds: 15, heartbeatSeconds: 5, name: 'loss-default' }),
    measure({ leaseSeconds: 6, heartbeatSeconds: 2, name: 'loss-short' }),
  ]);
  for (const r of runs) {
    process.stdout.write(
      `worker-loss (LEASE_SECONDS=${r.leaseSeconds}, HEARTBEAT_SECONDS=${r.heartbeatSeconds}, sweep every ${r.sweepSecs} s): ` +
        `kill -9 → job QUEUED (attempt 2) in ${r.secs.toFixed(2)} s; last heartbeat was ${r.sinceBeat.toFixed(2)} s before the kill, ` +
        `so the lease lapsed ${r.lapse.toFixed(2)} s after it and the sweep came ${(r.secs - r.lapse).toFixed(2)} s later; ` +
        `bounds [${r.leaseSeconds - r.heartbeatSeconds}, ${r.leaseSeconds + r.sweepSecs}] s\n`,
    );
  }
  const [def, short] = runs;
  record(BENCH, 'kill -9 worker → job requeued (defaults: lease 15 s)', def.secs, fmtS, { op: '<=', target: 15, text: '≤ 15 s' });
  record(BENCH, `  bounds with the defaults: lease − heartbeat … lease + sweep`, def.leaseSeconds + def.sweepSecs, (v) => `${def.leaseSeconds - def.heartbeatSeconds}–${v} s`);
  record(BENCH, `  same with LEASE_SECONDS=${short.leaseSeconds} HEARTBEAT_SECONDS=${short.heartbeatSeconds}`, short.secs, (v) => `${v.toFixed(2)} s (bounds ${short.leaseSeconds - short.heartbeatSeconds}–${short.leaseSeconds + short.sweepSecs} s)`);
}

runMain('worker-loss', main, { timeoutMs: 90_000 });
