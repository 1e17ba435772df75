'use strict';
/* A live jobLogs subscriber that only counts: `node log-sink.js <ws url> <bytes>` subscribes to
 * `jobLogs(jobId: "1") { seq stream data }` (the selection bench/log-stream.bench.js uses), counts
 * the data until `bytes` have arrived or the subscription completes, and sends the parent
 * { bytes, chunks, gapFree, t0, tLast } (wall-clock ms, comparable across processes). */
const { wallMs } = require('../lib/common');
const { gqlWsClient, childMain } = require('./gqlws');

const JOB_LOGS = 'subscription($id: ID!) { jobLogs(jobId: $id) { seq stream data } }';

function countLogs(url, expected) {
  const client = gqlWsClient(url);
  let bytes = 0;
  let chunks = 0;
  let lastSeq = 0;
  let gapFree = true;
  let tLast = 0;
  const t0 = wallMs();
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = async (err) => {
      if (settled) return;
      settled = true;
      await client.dispose();
      if (err) reject(err);
      else resolve({ bytes, chunks, gapFree, t0, tLast });
    };
    client.subscribe(
      { query: JOB_LOGS, variables: { id: '1' } },
      {
        next: (v) => {
          if (v.errors) return void done(new Error(`jobLogs: ${v.errors[0].message}`));
          const c = v.data.jobLogs;
          bytes += c.data.length; // ASCII: one char per byte
          chunks += 1;
          if (c.seq !== lastSeq + 1) gapFree = false;
          lastSeq = c.seq;
          tLast = wallMs();
          if (bytes >= expected) void done();
        },
        error: (e) => void done(e instanceof Error ? e : new Error(`jobLogs failed: ${JSON.stringify(e && (e.reason || e))}`)),
        complete: () => void done(),
      },
    );
  });
}

if (require.main === module) childMain(() => countLogs(process.argv[2], Number(process.argv[3])));
