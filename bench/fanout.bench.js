#!/usr/bin/env node
/* Log fan-out: many jobs printing steadily, each watched live by several people.
 *
 * 20 jobs run at once on the local agent (20 slots), each printing 200 numbered, timestamped
 * lines a second for 20 s (`<n> <wall clock ms>`, from a Node one-liner: no fork per line);
 * two live `jobLogs` subscribers per job, each on its own graphql-ws connection as two people
 * would be, opened right after createJob. Measured:
 *   - lines lost: every subscriber must see lines 1..N of its job exactly once (a line missing
 *     or seen twice counts); goal 0;
 *   - write → subscriber latency: the subscriber's clock on receipt minus the line's stamp
 *     (same machine, same clock), p50 / p99 over every line every subscriber got; goal p99 ≤ 250 ms;
 *   - CPU of the API process and of the local agent (its child, with its spawn helper and
 *     guardian) over the run, from /proc/<pid>/stat (utime + stime), as a share of one core;
 *     the job processes are not counted.
 * The measured round follows an untimed one of the same shape, BENCH_FANOUT_WARMUP_SECONDS (3) s
 * long, on the same connections: the API's log path compiled, as in a server that has been up a
 * while (the log-stream and throughput benches do the same). A freshly started API spends about
 * a second of CPU more on its first seconds of logs; that round's p99 is printed as the cold start.
 *
 *   node bench/fanout.bench.js
 * Knobs: BENCH_FANOUT_JOBS (20), BENCH_FANOUT_RATE (lines/s, 200), BENCH_FANOUT_SECONDS (20),
 * BENCH_FANOUT_WARMUP_SECONDS (3; 0 measures a cold API),
 * BENCH_FANOUT_SUBSCRIBERS (per job, 2), BENCH_FANOUT_PRODUCER (node; perl: the same lines from a
 * Perl one-liner, which starts in a few ms where Node takes ~90 ms of CPU).
 */
'use strict';
const os = require('node:os');
const { cpuSecs, agentCpuSecs, childrenOf, machineCpu, busyShare } = require('./lib/proc-cpu');
const { startServer } = require('./lib/server-process');
const { gql, wsClient, CREATE_JOB } = require('./lib/client');
const { cleanup, tempDir, wallMs, percentile, record, runMain, waitFor, fmtMs } = require('./lib/common');

const JOBS = Number(process.env.BENCH_FANOUT_JOBS || 20);
const RATE = Number(process.env.BENCH_FANOUT_RATE || 200);
const SECONDS = Number(process.env.BENCH_FANOUT_SECONDS || 20);
const SUBSCRIBERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS || 2);
const LINES = RATE * SECONDS;
const WARMUP_SECONDS = Number(process.env.BENCH_FANOUT_WARMUP_SECONDS ?? 3);
const STARTUP_MS = 3000;
const BENCH = 'fanout';
const JOB_LOGS = 'subscription($id: ID!) { jobLogs(jobId: $id) { chunks { attempt seq stream data } } }';

// Catches up to the line due by now every 5 ms (timers drift; the rate must not), stamping each
// line as it is written.
const script = (lines) =>
  `const N=${lines},R=${RATE},t0=performance.now();let i=0;` +
  `const tick=()=>{const due=Math.min(N,Math.floor((performance.now()-t0)*R/1000)+1);let s='';` +
  `while(i<due){i++;s+=i+' '+(performance.timeOrigin+performance.now()).toFixed(3)+'\\n'}` +
  `if(s)process.stdout.write(s);if(i<N)setTimeout(tick,5)};tick()`;

// The same producer in Perl (BENCH_FANOUT_PRODUCER=perl): a Node process costs ~90 ms of CPU
// to start, 20 of them about a core for the first seconds, which is where the tail sits; Perl
// starts in a few ms. Shows how much of the tail is the bench's own job processes.
const perlScript = (lines) =>
  `use Time::HiRes qw(time sleep);$|=1;my($N,$R)=(${lines},${RATE});my $t0=time;my $i=0;` +
  `while($i<$N){my $due=int((time-$t0)*$R)+1;$due=$N if $due>$N;my $s='';` +
  `while($i<$due){$i++;$s.=sprintf("%d %.3f\n",$i,time*1000)}print $s if $s;sleep 0.005 if $i<$N}`;
const producer = (lines) =>
  process.env.BENCH_FANOUT_PRODUCER === 'perl' ? { command: 'perl', args: ['-e', perlScript(lines)] } : { command: process.execPath, args: ['-e', script(lines)] };

/** One live subscriber of one job: checks the line numbers, keeps the latencies. */
function follow(ws, id, latencies, stamps) {
  // (latencies and stamps: the round's, index for index)
  const s = { attempt: 0, next: 1, got: 0, duplicates: 0, skipped: 0, events: 0, done: false, error: undefined, partial: '' };
  const take = (line, at) => {
    const [n, stamp] = line.split(' ');
    const num = Number(n);
    if (num < s.next) s.duplicates += 1;
    else {
      s.skipped += num - s.next;
      s.next = num + 1;
      s.got += 1;
      latencies.push(at - Number(stamp));
      stamps.push(Number(stamp));
    }
  };
  const unsubscribe = ws.subscribe(
    { query: JOB_LOGS, variables: { id } },
    {
      next: (v) => {
        const at = wallMs();
        if (v.errors) s.error = new Error(`subscription error: ${JSON.stringify(v.errors)}`);
        if (!v.data) return;
        s.events += 1;
        for (const c of v.data.jobLogs.chunks) {
          if (c.stream !== 'STDOUT') continue;
          if (c.attempt !== s.attempt) {
            // A retried attempt prints its lines again: only the last attempt's must be complete.
            Object.assign(s, { attempt: c.attempt, next: 1, got: 0, partial: '' });
          }
          const lines = (s.partial + c.data).split('\n');
          s.partial = lines.pop();
          for (const l of lines) if (l) take(l, at);
        }
      },
      error: (e) => {
        s.error = e instanceof Error ? e : new Error(`subscription failed: ${JSON.stringify(e && (e.reason || e.message || e))}`);
        s.done = true;
      },
      complete: () => (s.done = true),
    },
  );
  cleanup.add(`jobLogs ${id}`, unsubscribe);
  return s;
}

/** One round: JOBS jobs of `lines` lines each, SUBSCRIBERS of `clients` following each; resolves when every stream has completed. */
async function round(server, clients, lines, seconds) {
  const latencies = [];
  /** each latency's line stamp (same index), to tell the start-up from the steady state */
  const stamps = [];
  const subs = [];
  const ids = [];
  for (let j = 0; j < JOBS; j += 1) {
    const { createJob } = await gql(server.url, CREATE_JOB, { input: producer(lines) }, server.adminToken);
    ids.push(createJob.id);
    for (let k = 0; k < SUBSCRIBERS; k += 1) subs.push(follow(clients[j * SUBSCRIBERS + k], createJob.id, latencies, stamps));
  }
  // Each stream completes when its job has ended and everything stored has been delivered.
  await waitFor('every subscription to complete', () => subs.every((s) => s.done), (seconds + 90) * 1000, 50).catch((err) => {
    process.stdout.write(`  !! ${err.message}: ${subs.filter((s) => !s.done).length} of ${subs.length} still open\n`);
  });
  return { latencies, stamps, subs, ids };
}

async function main() {
  const workDir = tempDir('fanout');
  const server = await startServer({ workDir, localAgent: { concurrency: JOBS }, label: 'fanout' });
  const agentPids = await waitFor('the local agent process', () => (childrenOf(server.pid).length > 0 ? childrenOf(server.pid) : undefined), 30_000, 50);

  const clients = [];
  for (let i = 0; i < JOBS * SUBSCRIBERS; i += 1) {
    const ws = wsClient(server.wsUrl, server.adminToken);
    cleanup.add('ws client', () => ws.dispose());
    clients.push(ws);
  }
  let cold;
  if (WARMUP_SECONDS > 0) {
    const warm = await round(server, clients, RATE * WARMUP_SECONDS, WARMUP_SECONDS);
    const warmLost = warm.subs.reduce((n, s) => n + (RATE * WARMUP_SECONDS - s.got) + s.duplicates, 0);
    cold = percentile(warm.latencies, 99);
    process.stdout.write(`fanout: untimed warm-up round of ${WARMUP_SECONDS} s on the fresh API: p99 ${fmtMs(cold)} (the cold start), ${warmLost} lines lost\n`);
  }
  const cpu0 = { api: cpuSecs(server.pid), agent: agentPids.reduce((n, p) => n + agentCpuSecs(p), 0), self: process.cpuUsage(), machine: machineCpu(), at: wallMs() };
  const { latencies, stamps, subs, ids } = await round(server, clients, LINES, SECONDS);
  const wall = (wallMs() - cpu0.at) / 1000;
  const self = process.cpuUsage(cpu0.self);
  const cpu = {
    api: cpuSecs(server.pid) - cpu0.api,
    agent: agentPids.reduce((n, p) => n + agentCpuSecs(p), 0) - cpu0.agent,
    // the 40 subscribers' client side (this process) and the machine as a whole: the jobs are 20
    // Node processes writing every 5 ms, and on a small machine the tail is the scheduler's
    subscribers: (self.user + self.system) / 1e6,
    machine: busyShare(cpu0.machine, machineCpu()),
  };
  const { jobs } = await gql(
    server.url,
    'query { jobs(first: 100) { edges { node { id status attempt } } } }',
    {},
    server.adminToken,
  );
  const statuses = {};
  let retried = 0;
  for (const e of jobs.edges) {
    if (!ids.includes(e.node.id)) continue;
    statuses[e.node.status] = (statuses[e.node.status] ?? 0) + 1;
    if (e.node.attempt > 1) retried += 1;
  }

  // The first seconds hold the start-up (20 Node processes starting, 40 subscriptions opening):
  // the steady state is the lines stamped after it, and the worst second shows where a tail sits.
  const firstStamp = stamps.reduce((m, v) => Math.min(m, v), Infinity);
  const steady = latencies.filter((_, i) => stamps[i] - firstStamp >= STARTUP_MS);
  const bySecond = new Map();
  for (const [i, v] of latencies.entries()) {
    const sec = Math.floor((stamps[i] - firstStamp) / 1000);
    if (!bySecond.has(sec)) bySecond.set(sec, []);
    bySecond.get(sec).push(v);
  }
  const worst = [...bySecond].map(([sec, vs]) => [sec, percentile(vs, 99)]).sort((a, b) => b[1] - a[1]).slice(0, 3);
  const errors = subs.filter((s) => s.error).map((s) => s.error.message);
  // Lost: a line never seen; a line seen twice counts too (the goal is exactly once).
  const lost = subs.reduce((n, s) => n + (LINES - s.got) + s.duplicates, 0);
  const events = subs.reduce((n, s) => n + s.events, 0);
  const lines = subs.reduce((n, s) => n + s.got, 0);
  process.stdout.write(
    `fanout: ${JOBS} jobs × ${RATE} lines/s × ${SECONDS} s, ${SUBSCRIBERS} live subscribers each (${subs.length} graphql-ws connections), local agent with ${JOBS} slots\n` +
      `  jobs: ${JSON.stringify(statuses)}, ${retried} ran more than one attempt (a lost lease: the platform retried it); ${lines} of ${LINES * subs.length} lines delivered in ${events} events` +
      ` (${(lines / Math.max(1, events)).toFixed(1)} lines per event); duplicates ${subs.reduce((n, s) => n + s.duplicates, 0)}, gaps ${subs.reduce((n, s) => n + s.skipped, 0)} lines\n` +
      `  write → subscriber latency: p50 ${fmtMs(percentile(latencies, 50))}, p90 ${fmtMs(percentile(latencies, 90))}, p99 ${fmtMs(percentile(latencies, 99))}, max ${fmtMs(latencies.reduce((m, v) => Math.max(m, v), -Infinity))}\n` +
      `  CPU over ${wall.toFixed(1)} s: API ${cpu.api.toFixed(1)} s (${((100 * cpu.api) / wall).toFixed(0)}% of a core), local agent ${cpu.agent.toFixed(1)} s (${((100 * cpu.agent) / wall).toFixed(0)}%),` +
      ` the subscribers' client (this process) ${cpu.subscribers.toFixed(1)} s (${((100 * cpu.subscribers) / wall).toFixed(0)}%); the machine's ${os.cpus().length} cores ${(100 * cpu.machine).toFixed(0)}% busy\n` +
      `  after the first ${STARTUP_MS / 1000} s: p50 ${fmtMs(percentile(steady, 50))}, p99 ${fmtMs(percentile(steady, 99))}; the worst seconds by p99: ${worst.map(([sec, v]) => `${sec} s ${fmtMs(v)}`).join(', ')}\n` +
      (errors.length > 0 ? `  !! subscription errors: ${errors.slice(0, 3).join('; ')}\n` : ''),
  );
  record(BENCH, `fan-out (${JOBS} jobs × ${RATE} lines/s, ${SUBSCRIBERS} subscribers each): lines lost`, lost, (v) => String(v), { op: '<=', target: 0, text: '0' });
  record(BENCH, '  fan-out write → subscriber latency p50', percentile(latencies, 50), fmtMs);
  record(BENCH, '  fan-out write → subscriber latency p99', percentile(latencies, 99), fmtMs, { op: '<=', target: 250, text: '≤ 250 ms' });
  record(BENCH, `  fan-out latency p99 after the first ${STARTUP_MS / 1000} s (start-up left out)`, percentile(steady, 99), fmtMs);
  if (cold !== undefined) record(BENCH, `  fan-out latency p99 of the warm-up round (a freshly started API)`, cold, fmtMs);
  record(BENCH, '  fan-out API CPU (share of one core)', cpu.api / wall, (v) => `${(100 * v).toFixed(0)}%`);
  record(BENCH, '  fan-out local agent CPU (share of one core)', cpu.agent / wall, (v) => `${(100 * v).toFixed(0)}%`);
  record(BENCH, '  fan-out: the machine busy (all cores, jobs and subscribers included)', cpu.machine, (v) => `${(100 * v).toFixed(0)}%`);
  if (errors.length > 0) throw new Error(`${errors.length} subscriptions failed: ${errors[0]}`);
}

runMain('fanout', main, { timeoutMs: (SECONDS + 150) * 1000 });
