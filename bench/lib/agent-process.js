'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ROOT } = require('./built');
const { gql } = require('./client');
const { cleanup, sleep } = require('./common');

/**
 * A worker agent as its own process: `node worker/dist/cli.js --server … ` with the token in
 * CMD_EXECUTOR_WORKER_TOKEN (arguments show in ps). Stopped (SIGTERM, then SIGKILL) at cleanup.
 */
function startCliAgent({ server, token, name, labels, concurrency, workDir }) {
  const child = spawn(
    process.execPath,
    // e.g. BENCH_AGENT_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the agent;
    // BENCH_AGENT_STDOUT=1 shows what it prints there (--trace-gc, say)
    [...(process.env.BENCH_AGENT_EXEC_ARGV ? process.env.BENCH_AGENT_EXEC_ARGV.split(/\s+/) : []), path.join(ROOT, 'worker/dist/cli.js'), '--server', server.url, '--name', name, '--labels', labels.join(','),
      '--concurrency', String(concurrency), '--work-dir', workDir, '--sandbox', 'none', '--log-level', 'error'],
    { stdio: ['ignore', process.env.BENCH_AGENT_STDOUT ? 'inherit' : 'ignore', 'inherit'], env: { ...process.env, CMD_EXECUTOR_WORKER_TOKEN: token } },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const alive = () => child.exitCode === null && child.signalCode === null;
  cleanup.add(`agent ${name}`, async () => {
    if (!alive()) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
  });
  return {
    child,
    exited,
    /** Resolves once the API lists it ONLINE. */
    async online(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!alive()) throw new Error(`agent ${name} exited (${child.exitCode ?? child.signalCode})`);
        const { workers } = await gql(server.url, 'query { workers { name status } }', {}, server.adminToken);
        if (workers.some((w) => w.name === name && w.status === 'ONLINE')) return;
        if (Date.now() > deadline) throw new Error(`agent ${name} not online after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
  };
}

module.exports = { startCliAgent };
