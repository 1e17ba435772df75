'use strict';
/* The least a worker agent can do on the worker channel: for each assignment, startJob, spawn
 * the command as `/bin/sh -c <command>` in its own process group with piped stdout/stderr (as
 * worker/src/runner/process-group.ts does), wait for it to close, completeJob. No registration,
 * heartbeats, log streaming, sandbox or work directory.
 *
 * Run in the benchmark's process (runFloorAgent), or forked as
 * `node floor-agent.js <ws url> <jobs>`, then it sends its figures to the parent and exits. */
const { spawn } = require('node:child_process');
const { gqlWsClient, request, childMain } = require('./gqlws');

const ASSIGNMENTS = `subscription {
  assignments { kind jobId attempt leaseExpiresAt
    job { id command args cwd timeoutSeconds sandbox image limits { memoryMb pids cpuSeconds fileSizeMb } }
    env { name value secret } } }`;
const START_JOB = 'mutation($jobId: ID!, $attempt: Int!) { startJob(jobId: $jobId, attempt: $attempt) { id status } }';
const COMPLETE_JOB =
  'mutation($jobId: ID!, $attempt: Int!, $result: JobResultInput!) { completeJob(jobId: $jobId, attempt: $attempt, result: $result) { id status } }';

function runCommand(command) {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', () => undefined);
    child.stderr.on('data', () => undefined);
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
}

/** Runs `jobs` assignments from the server at `url`; resolves once all are completed. */
function runFloorAgent(url, jobs) {
  const client = gqlWsClient(url);
  let done = 0;
  return new Promise((resolve, reject) => {
    const fail = (err) => {
      void client.dispose();
      reject(err);
    };
    const run = async ({ jobId, attempt, job }) => {
      await request(client, START_JOB, { jobId, attempt });
      const exitCode = await runCommand(job.command);
      await request(client, COMPLETE_JOB, { jobId, attempt, result: { exitCode } });
      done += 1;
      if (done === jobs) {
        await client.dispose();
        resolve({ jobs: done });
      }
    };
    client.subscribe(
      { query: ASSIGNMENTS },
      {
        next: (v) => (v.errors ? fail(new Error(`assignments: ${v.errors[0].message}`)) : run(v.data.assignments).catch(fail)),
        error: (e) => fail(e instanceof Error ? e : new Error(`assignments failed: ${JSON.stringify(e && (e.reason || e))}`)),
        complete: () => undefined,
      },
    );
  });
}

if (require.main === module) childMain(() => runFloorAgent(process.argv[2], Number(process.argv[3])));

module.exports = { runFloorAgent };
