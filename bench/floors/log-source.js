'use strict';
/* The worker side of log streaming, reduced to its messages: `node log-source.js <ws url> <bytes>`
 * sends `bytes` of 100-byte lines as appendLogs mutations shaped as the agent's log streamer
 * sends them (worker/src/output/log-streamer.ts defaults: 64 KiB chunks, 16 chunks or 1 MiB per
 * call, 4 calls in flight), and sends the parent { bytes, calls, t0, tLast } (wall-clock ms:
 * first call sent, last acknowledgement received). No output is read from any process. */
const { wallMs } = require('../lib/common');
const { gqlWsClient, request, childMain } = require('./gqlws');

const CHUNK_BYTES = 64 * 1024;
const BATCH_CHUNKS = 16;
const IN_FLIGHT = 4;
const APPEND_LOGS =
  'mutation($jobId: ID!, $attempt: Int!, $chunks: [LogChunkInput!]!) { appendLogs(jobId: $jobId, attempt: $attempt, chunks: $chunks) { ackedSeq truncated } }';

async function sendLogs(url, total) {
  const client = gqlWsClient(url);
  const line = `${'a'.repeat(99)}\n`;
  const full = line.repeat(Math.ceil(CHUNK_BYTES / line.length)).slice(0, CHUNK_BYTES);
  let seq = 0;
  let queued = 0;
  let calls = 0;
  /** The next appendLogs batch, or undefined when everything is sent. */
  const nextBatch = () => {
    const chunks = [];
    while (chunks.length < BATCH_CHUNKS && queued < total) {
      const data = total - queued >= CHUNK_BYTES ? full : full.slice(0, total - queued);
      queued += data.length;
      seq += 1;
      chunks.push({ seq, stream: 'STDOUT', data, at: new Date().toISOString() });
    }
    return chunks.length > 0 ? chunks : undefined;
  };
  const t0 = wallMs();
  try {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let chunks = nextBatch(); chunks; chunks = nextBatch()) {
          const { appendLogs } = await request(client, APPEND_LOGS, { jobId: '1', attempt: 1, chunks });
          if (appendLogs.ackedSeq !== chunks.at(-1).seq) throw new Error(`acked ${appendLogs.ackedSeq}, sent up to ${chunks.at(-1).seq}`);
          calls += 1;
        }
      }),
    );
    return { bytes: queued, calls, t0, tLast: wallMs() };
  } finally {
    await client.dispose();
  }
}

if (require.main === module) childMain(() => sendLogs(process.argv[2], Number(process.argv[3])));
