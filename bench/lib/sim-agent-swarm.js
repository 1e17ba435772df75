'use strict';
/* Many simulated agents (./sim-agent.js) in one process, driven over IPC by a benchmark that
 * needs more sockets than one process should hold next to its own measuring:
 *
 *   parent → { op: 'start', wsUrl, token, names, labels }   child → { op: 'ready', ms }
 *   child  → { op: 'registered', n }           (every 10 agents registered: how many so far)
 *   child  → { op: 'assigned', command, at }  (each ASSIGN: the job's command, wall-clock ms)
 *   child  → { op: 'failed', error }          (an agent's call or stream failed)
 *   parent → { op: 'stop' }                   child closes every socket, exits 0
 */
const { startSimAgent } = require('./sim-agent');

const CONNECT_IN_FLIGHT = 20;
const agents = [];
let failed = false;

const fail = (err) => {
  if (failed) return;
  failed = true;
  process.send({ op: 'failed', error: err && err.message ? err.message : String(err) });
};

async function start({ wsUrl, token, names, labels }) {
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECT_IN_FLIGHT }, async () => {
      while (next < names.length) {
        const name = names[next++];
        agents.push(
          await startSimAgent({
            wsUrl,
            token,
            name,
            labels,
            capacity: 1,
            onAssigned: ({ command, at }) => process.send({ op: 'assigned', command, at }),
            onError: fail,
          }),
        );
        if (agents.length % 10 === 0) process.send({ op: 'registered', n: agents.length });
      }
    }),
  );
  process.send({ op: 'ready', ms: Date.now() - t0 });
}

async function stop() {
  await Promise.allSettled(agents.map((a) => a.close()));
  process.exit(0);
}

process.on('message', (msg) => {
  if (msg.op === 'start') start(msg).catch(fail);
  if (msg.op === 'stop') void stop();
});
process.on('disconnect', () => process.exit(0));
