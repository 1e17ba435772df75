'use strict';
/* A simulated worker agent: the agent's side of the worker channel over one graphql-ws socket
 * (worker token in connectionParams, registerWorker, the `assignments` subscription, startJob
 * and completeJob for each job it is given, heartbeats at the interval the server asks for) and
 * no process: each job "exits 0" as soon as startJob is acknowledged. What it costs the server
 * is what a real agent's protocol costs, without the agent's spawns on this machine's 2 cores. */
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');
const { wallMs } = require('./common');

const REGISTER = 'mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id heartbeatIntervalSeconds } }';
const ASSIGNMENTS = 'subscription { assignments { kind jobId attempt job { id command } } }';
const START = 'mutation($j: ID!, $a: Int!) { startJob(jobId: $j, attempt: $a) { id } }';
const COMPLETE = 'mutation($j: ID!, $a: Int!, $r: JobResultInput!) { completeJob(jobId: $j, attempt: $a, result: $r) { id } }';
const HEARTBEAT = 'mutation($r: [JobAttemptInput!]!) { heartbeat(runningJobs: $r) { leaseExpiresAt } }';

/**
 * Connects, registers with `capacity` slots and subscribes. For every ASSIGN: `onAssigned({ jobId,
 * command, at })` (at: wall-clock ms on receipt), then startJob and completeJob({ exitCode: 0 }),
 * then `onCompleted({ jobId, sentAt })` (sentAt: when completeJob was sent).
 * Resolves with { workerId, close() } once registered and the subscription sent (graphql-ws
 * gives no "subscribed" signal: a caller that needs every agent listening waits a moment).
 */
async function startSimAgent({ wsUrl, token, name, labels, capacity = 1, onAssigned = () => undefined, onCompleted = () => undefined, onError }) {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { workerToken: token },
    lazy: false,
    retryAttempts: 0,
    keepAlive: 0,
    onNonLazyError: (e) => onError(new Error(`${name}: connection failed: ${(e && (e.reason || e.message)) || e}`)),
  });
  const request = (query, variables) =>
    new Promise((resolve, reject) => {
      let result;
      client.subscribe(
        { query, variables },
        {
          next: (v) => (result = v),
          error: (e) => reject(new Error(`${name}: ${JSON.stringify(e && (e.message || e.reason || e))}`)),
          complete: () => (result && result.errors ? reject(new Error(`${name}: ${result.errors[0].message}`)) : resolve(result && result.data)),
        },
      );
    });

  const reg = await request(REGISTER, { i: { name, capacity, labels, hostname: 'bench-sim', version: 'bench-sim-1', instanceId: name } });
  const running = new Map();
  const unsubscribe = client.subscribe(
    { query: ASSIGNMENTS },
    {
      next: (v) => {
        if (v.errors) return onError(new Error(`${name}: assignments: ${v.errors[0].message}`));
        const a = v.data.assignments;
        if (a.kind !== 'ASSIGN') return;
        onAssigned({ jobId: a.jobId, command: a.job && a.job.command, at: wallMs() });
        running.set(a.jobId, { jobId: a.jobId, attempt: a.attempt });
        (async () => {
          await request(START, { j: a.jobId, a: a.attempt });
          const sentAt = wallMs();
          await request(COMPLETE, { j: a.jobId, a: a.attempt, r: { exitCode: 0 } });
          running.delete(a.jobId);
          onCompleted({ jobId: a.jobId, sentAt });
        })().catch(onError);
      },
      error: (e) => onError(new Error(`${name}: assignments ended: ${JSON.stringify(e && (e.message || e.reason || e))}`)),
      complete: () => undefined,
    },
  );
  // Heartbeats keep the worker ONLINE (the sweeper marks one silent for a lease OFFLINE); the
  // first at a random point of the interval, so a thousand agents do not beat together.
  const everyMs = reg.registerWorker.heartbeatIntervalSeconds * 1000;
  let beat;
  const first = setTimeout(() => {
    const send = () => request(HEARTBEAT, { r: [...running.values()] }).catch(onError);
    send();
    beat = setInterval(send, everyMs);
  }, Math.random() * everyMs);
  return {
    workerId: reg.registerWorker.id,
    async close() {
      clearTimeout(first);
      clearInterval(beat);
      unsubscribe();
      await client.dispose();
    },
  };
}

module.exports = { startSimAgent };
