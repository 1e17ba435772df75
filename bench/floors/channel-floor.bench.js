#!/usr/bin/env node
/* Floor of the job channel: how fast `true` jobs can go through the worker channel's transport
 * alone (graphql-ws with JSON, as the API and the agent use it), against the bare Node loop
 * spawning `true` 8 at a time (lib/baselines.js, the throughput benchmark's baseline) in this run.
 *
 * A graphql-ws server with the worker channel's shapes (`assignments` subscription, `startJob`
 * and `completeJob` mutations) whose resolvers only answer: it pushes an assignment whenever
 * fewer than 8 are in flight, as dispatch does on completeJob. No storage, no events, no auth.
 * The agent (floor-agent.js) calls startJob, spawns `/bin/sh -c true` in its own process group,
 * waits for it, calls completeJob. Two such agents stay connected for the whole run, each to its
 * own server: one in this (the server's) process, as the embedded default runs the local agent,
 * one as its own process (forked). In 7 rounds, each between two runs of the bare loop
 * (lib/rounds.js), the bare loop spawning `/bin/sh -c true` (what the agent must spawn, with no
 * channel) and then each agent run a batch of 100 jobs; the clock of a batch runs at its server
 * from the batch's start to its last completeJob received. The median round is reported.
 *
 * Whatever the real system adds (storage, events, leases, logs) comes on top: this ratio bounds
 * what bench/throughput.bench.js can reach on this design.
 *
 *   node bench/floors/channel-floor.bench.js  (BENCH_CHANNEL_FLOOR_ROUNDS=7, BENCH_CHANNEL_FLOOR_BATCH=100)
 */
'use strict';
const path = require('node:path');
const { bareLoop, shellLoop } = require('../lib/baselines');
const { sandwichedRatios } = require('../lib/rounds');
const { wallMs, record, runMain, fmtRatio } = require('../lib/common');
const { startGqlWsServer, runChild, cpuSecs } = require('./gqlws');
const { runFloorAgent } = require('./floor-agent');

const BATCH = Number(process.env.BENCH_CHANNEL_FLOOR_BATCH || 100);
const ROUNDS = Number(process.env.BENCH_CHANNEL_FLOOR_ROUNDS || 7);
const TOTAL = BATCH * ROUNDS;
const SLOTS = 8;
const BENCH = 'floor';

// The worker channel's shapes (schema/schema.graphql), with plain types where the API has scalars.
const SDL = `
enum AssignmentKind { ASSIGN CANCEL }
type JobLimits { memoryMb: Int pids: Int cpuSeconds: Int fileSizeMb: Int }
type AssignedJob { id: ID! command: String! args: [String!] cwd: String timeoutSeconds: Int sandbox: String image: String limits: JobLimits }
type EnvVar { name: String! value: String! secret: Boolean! }
type Assignment { kind: AssignmentKind! jobId: ID! attempt: Int! leaseExpiresAt: String job: AssignedJob env: [EnvVar!] }
type Job { id: ID! status: String! }
input JobResultInput { canceled: Boolean error: String exitCode: Int }
type Query { ping: Int }
type Mutation {
  startJob(jobId: ID!, attempt: Int!): Job!
  completeJob(jobId: ID!, attempt: Int!, result: JobResultInput!): Job!
}
type Subscription { assignments: Assignment! }
`;

/**
 * A channel server for one agent: it pushes jobs in batches on demand (`batch(k)` resolves with
 * the seconds from its call to the k-th completeJob received), `slots` in flight, and ends the
 * `assignments` stream after `total` jobs. Batches are what let the floor's runs interleave
 * finely with the baseline's on a machine whose load moves within a second.
 */
async function startChannelServer(total, slots) {
  let inFlight = 0;
  let sent = 0;
  let allowed = 0;
  let completed = 0;
  let current;
  let wake;
  let ended = false;
  let subscribed;
  const ready = new Promise((resolve) => (subscribed = resolve));
  const poke = () => {
    const w = wake;
    wake = undefined;
    if (w) w();
  };
  const assignment = (n) => ({
    kind: 'ASSIGN',
    jobId: String(n),
    attempt: 1,
    leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
    job: { id: String(n), command: 'true', args: null, cwd: null, timeoutSeconds: null, sandbox: null, image: null, limits: null },
    env: [],
  });
  const roots = {
    subscription: {
      async *assignments() {
        subscribed();
        while (!ended && sent < total) {
          while (inFlight < slots && sent < allowed) {
            inFlight += 1;
            sent += 1;
            yield { assignments: assignment(sent) };
          }
          if (!ended && sent < total) await new Promise((resolve) => (wake = resolve));
        }
      },
    },
    mutation: {
      startJob: ({ jobId }) => ({ id: jobId, status: 'RUNNING' }),
      completeJob: ({ jobId }) => {
        inFlight -= 1;
        completed += 1;
        if (current && completed === current.until) {
          const done = current;
          current = undefined;
          done.resolve((wallMs() - done.t0) / 1000);
        }
        poke();
        return { id: jobId, status: 'SUCCEEDED' };
      },
    },
  };
  const server = await startGqlWsServer(SDL, roots);
  return {
    url: server.url,
    /** Resolves once the agent has subscribed to its assignments. */
    ready,
    batch(k) {
      if (current || sent + k > total) throw new Error(`batch of ${k}: one is running, or past the ${total} jobs`);
      return new Promise((resolve) => {
        current = { until: completed + k, t0: wallMs(), resolve };
        allowed += k;
        poke();
      });
    },
    async close() {
      ended = true; // lets a waiting `assignments` end, so closing its socket does not wait on it
      poke();
      await server.close();
    },
  };
}

/**
 * An agent (started by `startAgent(url, total)`) on its own channel server; `batch()` runs the
 * next BATCH jobs through it: jobs/s, and the CPU seconds this process spent meanwhile (the
 * server, and the agent when it runs here). Rejects when the agent fails.
 */
async function startChannel(startAgent) {
  const server = await startChannelServer(TOTAL, SLOTS);
  const agent = startAgent(server.url, TOTAL);
  const failed = agent.then(() => {
    throw new Error('the agent stopped before its last job');
  });
  failed.catch(() => undefined); // raced below; rejects (harmlessly) once the agent is done
  await Promise.race([server.ready, failed]);
  return {
    agent,
    async batch() {
      const cpu0 = process.cpuUsage();
      const secs = await Promise.race([server.batch(BATCH), failed]);
      return { rate: BATCH / secs, secs, cpuSecs: cpuSecs(cpu0) };
    },
    close: () => server.close(),
  };
}

async function main() {
  await bareLoop(40, SLOTS); // warm-up
  const forked = await startChannel((url, total) => runChild(path.join(__dirname, 'floor-agent.js'), [url, String(total)]));
  const local = await startChannel((url, total) => runFloorAgent(url, total));
  const cpu = { bare: 0, bareRuns: 0, forked: 0, local: 0 };
  const { baselines, figures } = await sandwichedRatios(
    ROUNDS,
    async () => {
      const cpu0 = process.cpuUsage();
      const rate = await bareLoop(BATCH, SLOTS);
      cpu.bare += cpuSecs(cpu0);
      cpu.bareRuns += 1;
      return rate;
    },
    async () => {
      const shell = { rate: await shellLoop(BATCH, SLOTS) };
      const f = await forked.batch();
      const l = await local.batch();
      cpu.forked += f.cpuSecs;
      cpu.local += l.cpuSecs;
      return { shell, forked: f, local: l };
    },
  );
  const forkedAgent = await forked.agent; // its figures: it has run its TOTAL jobs
  await local.agent;
  await forked.close();
  await local.close();

  const f = figures;
  const ms = (secs, jobs = TOTAL) => `${((secs / jobs) * 1000).toFixed(2)} ms`;
  const line = (what, fig, unit) => `  ${what}: ${fig.rate.toFixed(0)} ${unit}, ratio ${fmtRatio(fig.ratio)} (rounds ${fig.ratios.map(fmtRatio).join(' ')})\n`;
  process.stdout.write(
    `channel floor: \`true\` jobs over graphql-ws alone (assignments, startJob, completeJob; no storage), ${SLOTS} in flight;\n` +
      `  ${ROUNDS} rounds of ${BATCH} jobs, each between two runs of the bare loop; the median round's rate and ratio:\n` +
      `  bare Node spawning \`true\` ${SLOTS} at a time: ${baselines.map((b) => b.toFixed(0)).join(', ')} spawns/s\n` +
      line(`bare Node spawning \`/bin/sh -c true\` detached (no channel), ${SLOTS} at a time`, f.shell, 'spawns/s') +
      line('agent in the server process (as the embedded default)', f.local, 'jobs/s') +
      line('agent as its own process', f.forked, 'jobs/s') +
      `  CPU of this process per job: bare loop ${ms(cpu.bare, cpu.bareRuns * BATCH)}, agent in the server process ${ms(cpu.local)} (server + agent); ` +
      `agent as its own process: server ${ms(cpu.forked)}, agent ${ms(forkedAgent.cpuSecs)}\n`,
  );
  // Each row's rate beside the baseline of its round (the one with the median ratio).
  const withRate = (fig, unit) => (v) => `${fmtRatio(v)} (${fig.rate.toFixed(0)} ${unit} vs ${fig.base.toFixed(0)})`;
  record(BENCH, '  bare Node spawning `/bin/sh -c true` detached, ratio to bare spawns', f.shell.ratio, withRate(f.shell, 'spawns/s'));
  // Paired like throughput's rows: its goal row has the agent in the API process.
  record(BENCH, 'floor: job channel only, ratio to bare spawns', f.local.ratio, withRate(f.local, 'jobs/s'));
  record(BENCH, '  same, the agent as its own process', f.forked.ratio, withRate(f.forked, 'jobs/s'));
}

runMain('channel-floor', main, { timeoutMs: 120_000 });
