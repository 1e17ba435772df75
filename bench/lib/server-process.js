'use strict';
const { fork } = require('node:child_process');
const path = require('node:path');
const { gql } = require('./client');
const { cleanup } = require('./common');

/**
 * Starts the embedded default (./embedded-server.js) in a child process and logs in as the
 * admin. `env` overrides the API's environment (LEASE_SECONDS, LOG_MAX_BYTES…);
 * `localAgent: { concurrency }` starts the in-process local worker agent as `npm start` does.
 */
async function startServer({ env = {}, localAgent = null, workDir, label = 'api' } = {}) {
  const child = fork(path.join(__dirname, 'embedded-server.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // e.g. BENCH_SERVER_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
    execArgv: process.env.BENCH_SERVER_EXEC_ARGV ? process.env.BENCH_SERVER_EXEC_ARGV.split(/\s+/) : [],
    // REDIS_URL and MONGODB_URI of the caller's shell must not leak into the embedded default.
    env: { ...process.env, REDIS_URL: '', MONGODB_URI: '' },
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let nextId = 1;
  const pending = new Map();
  child.on('message', (msg) => {
    if (msg.op !== 'reply') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error));
    else p.resolve(msg);
  });
  const call = (op, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ op, id, ...args });
    });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.send({ op: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  cleanup.add(`${label} server`, stop);

  const ready = await new Promise((resolve, reject) => {
    const onMsg = (msg) => {
      if (msg.op === 'ready') resolve(msg);
      if (msg.op === 'failed') reject(new Error(`embedded server failed to start: ${msg.error}`));
    };
    child.on('message', onMsg);
    exited.then(({ code, signal }) => reject(new Error(`embedded server exited (${code ?? signal}) before it was ready`)));
    child.send({ op: 'start', env, localAgent, workDir });
  });
  const login = await gql(ready.url, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
    u: ready.adminUsername,
    p: ready.adminPassword,
  });
  return {
    url: ready.url,
    wsUrl: ready.wsUrl,
    adminToken: login.login.token,
    pid: child.pid,
    startAgent: (concurrency) => call('startAgent', { concurrency, workDir }),
    mintToken: (name, labels) => call('mintToken', { name, labels }).then((r) => r.token),
    /** Queues `count` copies of the stored job `jobId` straight into the store; resolves with the ms it took. */
    cloneJobs: (jobId, count) => call('cloneJobs', { jobId, count }).then((r) => r.ms),
    stop,
  };
}

module.exports = { startServer };
