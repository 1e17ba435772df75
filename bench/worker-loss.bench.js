#!/usr/bin/env node
/* Time from `kill -9` of a worker agent (a separate `node worker/dist/cli.js` process) running a
 * job to that job being queued again, seen on a jobUpdated subscription.
 *
 * The assignment holds a lease (LEASE_SECONDS, renewed by each heartbeat every
 * HEARTBEAT_SECONDS). When the agent's socket closes (the kernel closes it at kill -9) the API
 * cuts the worker's leases to at most now + reconnectGrace (room for a reconnect after a network
 * blip); the sweeper, every sweepInterval, requeues lapsed leases. So
 *   kill → requeue ≈ min(last heartbeat + lease, kill + reconnectGrace) − kill + wait for a sweep
 * Both the grace and the sweep interval are read from the built api/dist/domain/lease.js
 * (leaseSettings), so the printed bounds follow the code. Measured with the defaults (15 s / 5 s)
 * and, in parallel on a second API, with LEASE_SECONDS=6 HEARTBEAT_SECONDS=2 to show the scaling.
 *
 *   node bench/worker-loss.bench.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { startCliAgent } = require('./lib/agent-process');
const { requireBuilt } = require('./lib/built');
const { startServer } = require('./lib/server-process');
const { gql, wsClient, subscribe, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, sleep, record, runMain, waitFor, fmtS } = require('./lib/common');

const BENCH = 'worker-loss';
const LABEL = 'bench-kill';

async function measure({ leaseSeconds, heartbeatSeconds, name }) {
  const workDir = tempDir(`loss-${leaseSeconds}`);
  const env = leaseSeconds === 15 ? {} : { LEASE_SECONDS: String(leaseSeconds), HEARTBEAT_SECONDS: String(heartbeatSeconds) };
  const server = await startServer({ workDir, env, localAgent: null, label: name });
  const serverUp = wallMs();
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
  const victim = startCliAgent({ server, token, name: 'victim', labels: [LABEL], concurrency: 1, workDir: path.join(workDir, 'agent') });

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
  // A freshly started API gives workers one full lease to reconnect before it sweeps lapsed
  // jobs (its sweeper's start-up guard): kill late enough that this guard is not what we time.
  const settings = requireBuilt('api/dist/domain/lease').leaseSettings(leaseSeconds, heartbeatSeconds);
  const guardEnds = serverUp + settings.leaseMs - (settings.reconnectGraceMs ?? 0) + 500;
  if (wallMs() < guardEnds) await sleep(guardEnds - wallMs());

  const { workers } = await gql(server.url, 'query { workers { name lastHeartbeatAt } }', {}, server.adminToken);
  const lastBeat = Date.parse(workers.find((w) => w.name === 'victim').lastHeartbeatAt);
  const tKill = wallMs();
  victim.child.kill('SIGKILL');
  await victim.exited;
  const requeued = await waitFor(
    'the job to be requeued',
    ofJob((e) => e.at > tKill && (e.status === 'QUEUED' || e.status === 'FAILED')),
    (leaseSeconds + heartbeatSeconds) * 1000 + 15_000,
    10,
  );
  if (requeued.status !== 'QUEUED' || requeued.attempt !== 2) throw new Error(`expected QUEUED attempt 2, got ${requeued.status} attempt ${requeued.attempt}`);
  const secs = (requeued.at - tKill) / 1000;
  const sweepSecs = settings.sweepIntervalMs / 1000;
  const graceSecs = settings.reconnectGraceMs === undefined ? Infinity : settings.reconnectGraceMs / 1000;
  // when the lease ran out: the heartbeat's renewal, or the disconnect's cut, whichever is sooner
  const lapse = Math.min((lastBeat + leaseSeconds * 1000 - tKill) / 1000, graceSecs);
  const bounds = [Math.min(leaseSeconds - heartbeatSeconds, graceSecs), Math.min(leaseSeconds, graceSecs) + sweepSecs];
  return { leaseSeconds, heartbeatSeconds, sweepSecs, graceSecs, bounds, secs, lapse, sinceBeat: (tKill - lastBeat) / 1000 };
}

async function main() {
  const runs = await Promise.all([
    measure({ leaseSeconds: 15, heartbeatSeconds: 5, name: 'loss-default' }),
    measure({ leaseSeconds: 6, heartbeatSeconds: 2, name: 'loss-short' }),
  ]);
  for (const r of runs) {
    process.stdout.write(
      `worker-loss (LEASE_SECONDS=${r.leaseSeconds}, HEARTBEAT_SECONDS=${r.heartbeatSeconds}; reconnect grace ${r.graceSecs} s, sweep every ${r.sweepSecs} s): ` +
        `kill -9 → job QUEUED (attempt 2) in ${r.secs.toFixed(2)} s; the last heartbeat was ${r.sinceBeat.toFixed(2)} s before the kill, ` +
        `so the lease ran out ${r.lapse.toFixed(2)} s after it and the requeue came ${(r.secs - r.lapse).toFixed(2)} s later; ` +
        `expected within [${r.bounds[0]}, ${r.bounds[1]}] s\n`,
    );
  }
  const [def, short] = runs;
  record(BENCH, 'kill -9 worker → job requeued (defaults: lease 15 s)', def.secs, fmtS, { op: '<=', target: 15, text: '≤ 15 s' });
  record(BENCH, '  expected range with the defaults', def.bounds[1], () => `${def.bounds[0]}–${def.bounds[1]} s`);
  record(BENCH, `  same with LEASE_SECONDS=${short.leaseSeconds} HEARTBEAT_SECONDS=${short.heartbeatSeconds}`, short.secs, (v) => `${v.toFixed(2)} s (expected ${short.bounds[0]}–${short.bounds[1]} s)`);
}

runMain('worker-loss', main, { timeoutMs: 90_000 });
