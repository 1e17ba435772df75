#!/usr/bin/env node
/* Floor of live log streaming: how fast 100 MB of job output can cross graphql-ws with JSON
 * alone, against the raw pipe rate of the same producer (lib/baselines.js, the log-stream
 * benchmark's baseline) in this run. No storage, no pub/sub, no process output read.
 *
 * 1. Subscriber leg (what issue 4's goal is about): a server whose `jobLogs` subscription yields
 *    the 100 MB as `{ seq stream data }` chunks of 64 KiB (what the worker sends) and of 1 MiB,
 *    to a client in another process (log-sink.js) that counts the bytes; subscribe → last byte.
 * 2. Worker leg: a client in another process (log-source.js) sends the 100 MB as appendLogs
 *    mutations as the agent's log streamer does (1 MiB batches of 64 KiB chunks, 4 in flight)
 *    to a server that only acknowledges; first call → last acknowledgement.
 * 3. Both legs through one server, the real path minus storage: the source's appendLogs chunks
 *    are handed in memory to the sink's live jobLogs subscription; first call → last byte.
 *
 * Each in 3 rounds, each round between two runs of the raw pipe (lib/rounds.js); the median
 * round is reported.
 *
 * Whatever the real system adds (reading the process, chunking, storage, pub/sub) comes on top:
 * these ratios bound what bench/log-stream.bench.js can reach on this design.
 *
 *   node bench/floors/subscriber-floor.bench.js   (BENCH_LOG_BYTES=100000000, BENCH_LOG_FLOOR_ROUNDS=3)
 */
'use strict';
const path = require('node:path');
const { rawPipeRate } = require('../lib/baselines');
const { sandwichedRatios } = require('../lib/rounds');
const { record, runMain, fmtRatio } = require('../lib/common');
const { startGqlWsServer, runChild, cpuSecs } = require('./gqlws');

const BYTES = Number(process.env.BENCH_LOG_BYTES || 100_000_000);
const ROUNDS = Number(process.env.BENCH_LOG_FLOOR_ROUNDS || 3);
const BENCH = 'floor';
const SINK = path.join(__dirname, 'log-sink.js');
const SOURCE = path.join(__dirname, 'log-source.js');

// The log shapes of schema/schema.graphql, with plain types where the API has scalars.
const SDL = `
enum LogStream { STDOUT STDERR SYSTEM }
type LogChunk { jobId: ID! attempt: Int! seq: Int! stream: LogStream! data: String! at: String! }
input LogChunkInput { at: String data: String! seq: Int! stream: LogStream! }
type AppendLogsResult { ackedSeq: Int! truncated: Boolean! }
type Query { ping: Int }
type Mutation { appendLogs(jobId: ID!, attempt: Int!, chunks: [LogChunkInput!]!): AppendLogsResult! }
type Subscription { jobLogs(jobId: ID!, afterSeq: Int): LogChunk! }
`;

const LINE = `${'a'.repeat(99)}\n`;
const ack = ({ chunks }) => ({ ackedSeq: chunks.at(-1).seq, truncated: false });

/**
 * One leg's figures: MB/s over `secs` of wall clock, and the CPU seconds the server (this
 * process) and the client process(es) spent, which say which side the floor is bound by.
 */
function legResult(secs, serverCpu, clientCpu) {
  return { rate: BYTES / 1e6 / secs, secs, serverCpu, clientCpu };
}

/** Subscriber leg: jobLogs yields BYTES in chunks of `size` bytes; MB/s seen by the sink. */
async function subscriberRate(size) {
  const full = LINE.repeat(Math.ceil(size / LINE.length)).slice(0, size);
  const cpu0 = process.cpuUsage();
  const at = new Date().toISOString();
  const server = await startGqlWsServer(SDL, {
    subscription: {
      async *jobLogs({ jobId }) {
        for (let seq = 1, sent = 0; sent < BYTES; seq += 1) {
          const data = BYTES - sent >= size ? full : full.slice(0, BYTES - sent);
          sent += data.length;
          yield { jobLogs: { jobId, attempt: 1, seq, stream: 'STDOUT', data, at } };
        }
      },
    },
  });
  const sink = await runChild(SINK, [server.url, String(BYTES)]);
  const serverCpu = cpuSecs(cpu0);
  await server.close();
  checkSink(sink, `subscriber leg, ${size} B chunks`);
  return legResult((sink.tLast - sink.t0) / 1000, serverCpu, sink.cpuSecs);
}

/** Worker leg: appendLogs answered without looking; MB/s seen by the source. */
async function workerLegRate() {
  const cpu0 = process.cpuUsage();
  const server = await startGqlWsServer(SDL, { mutation: { appendLogs: ack } });
  const source = await runChild(SOURCE, [server.url, String(BYTES)]);
  const serverCpu = cpuSecs(cpu0);
  await server.close();
  return legResult((source.tLast - source.t0) / 1000, serverCpu, source.cpuSecs);
}

/** Both legs: appendLogs chunks handed in memory to the live jobLogs subscription. */
async function relayRate() {
  const cpu0 = process.cpuUsage();
  const queue = [];
  let wake;
  let subscribed;
  const sinkReady = new Promise((resolve) => (subscribed = resolve));
  const server = await startGqlWsServer(SDL, {
    mutation: {
      appendLogs: ({ jobId, attempt, chunks }) => {
        for (const c of chunks) queue.push({ jobId, attempt, seq: c.seq, stream: c.stream, data: c.data, at: c.at });
        const w = wake;
        wake = undefined;
        if (w) w();
        return ack({ chunks });
      },
    },
    subscription: {
      async *jobLogs() {
        subscribed();
        for (let sent = 0; sent < BYTES; ) {
          while (queue.length > 0) {
            const chunk = queue.shift();
            sent += chunk.data.length;
            yield { jobLogs: chunk };
          }
          if (sent < BYTES) await new Promise((resolve) => (wake = resolve));
        }
      },
    },
  });
  const sinkDone = runChild(SINK, [server.url, String(BYTES)]);
  await Promise.race([sinkReady, sinkDone]);
  const [source, sink] = await Promise.all([runChild(SOURCE, [server.url, String(BYTES)]), sinkDone]);
  const serverCpu = cpuSecs(cpu0);
  await server.close();
  checkSink(sink, 'both legs');
  return legResult((sink.tLast - source.t0) / 1000, serverCpu, source.cpuSecs + sink.cpuSecs);
}

function checkSink(sink, what) {
  if (sink.bytes !== BYTES || !sink.gapFree) throw new Error(`${what}: the sink got ${sink.bytes} of ${BYTES} bytes, seqs ${sink.gapFree ? 'contiguous' : 'with gaps'}`);
}

async function main() {
  await rawPipeRate(BYTES); // warm-up (page cache, binaries)
  const { baselines, figures } = await sandwichedRatios(
    ROUNDS,
    () => rawPipeRate(BYTES),
    async () => ({
      sub64k: await subscriberRate(64 * 1024),
      sub1m: await subscriberRate(1024 * 1024),
      workerLeg: await workerLegRate(),
      relay: await relayRate(),
    }),
  );
  const { sub64k, sub1m, workerLeg, relay } = figures;
  const mb = (v) => `${v.toFixed(1)} MB/s`;
  const describe = (leg) =>
    `${mb(leg.rate)}, ratio ${fmtRatio(leg.ratio)}, rounds ${leg.ratios.map(fmtRatio).join(' ')} ` +
    `(${leg.secs.toFixed(2)} s; CPU: server ${leg.serverCpu.toFixed(2)} s, client ${leg.clientCpu.toFixed(2)} s)`;
  process.stdout.write(
    `subscriber floor: ${BYTES / 1e6} MB over graphql-ws alone (no storage, no pub/sub), ratio to the raw pipe;\n` +
      `  ${ROUNDS} rounds, each between two runs of the raw pipe; the median round:\n` +
      `  raw pipe rate of the same producer: ${baselines.map((b) => b.toFixed(0)).join(', ')} MB/s\n` +
      `  jobLogs subscriber leg, 64 KiB chunks: ${describe(sub64k)}\n` +
      `  jobLogs subscriber leg, 1 MiB chunks: ${describe(sub1m)}\n` +
      `  appendLogs worker leg, 1 MiB batches of 64 KiB chunks, 4 in flight: ${describe(workerLeg)}\n` +
      `  both legs through one server (appendLogs → jobLogs in memory; client = source + sink): ${describe(relay)}\n`,
  );
  // Each row's rate beside the baseline of its round (the one with the median ratio).
  const withRate = (leg) => (v) => `${fmtRatio(v)} (${leg.rate.toFixed(0)} vs ${leg.base.toFixed(0)} MB/s)`;
  record(BENCH, 'floor: jobLogs subscriber leg only (64 KiB chunks), ratio to raw pipe', sub64k.ratio, withRate(sub64k));
  record(BENCH, '  same, 1 MiB chunks', sub1m.ratio, withRate(sub1m));
  record(BENCH, 'floor: appendLogs worker leg only, ratio to raw pipe', workerLeg.ratio, withRate(workerLeg));
  record(BENCH, 'floor: both legs through one server, ratio to raw pipe', relay.ratio, withRate(relay));
}

runMain('subscriber-floor', main, { timeoutMs: 90_000 });
