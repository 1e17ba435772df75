'use strict';
/* The system under test, in its own process, as `npm start` runs it: the built API on the
 * embedded MongoDB-wire server (in memory here: a benchmark leaves nothing behind),
 * in-process pub/sub (REDIS_URL is never passed on), and optionally the local worker agent
 * in the same process. Driven by the benchmark over IPC (see ./server-process.js):
 *
 *   parent → { op: 'start', env, localAgent: { concurrency } | null, workDir }
 *   child  → { op: 'ready', url, wsUrl, adminUsername, adminPassword }
 *   parent → { op: 'startAgent', id, concurrency }        child → { op: 'reply', id }
 *   parent → { op: 'mintToken', id, name, labels }        child → { op: 'reply', id, token }
 *   parent → { op: 'cloneJobs', id, jobId, count }         child → { op: 'reply', id, ms }
 *   parent → { op: 'stop' }                               child exits 0
 *
 * The benchmark client (HTTP and graphql-ws) runs in the parent, as a user's would.
 */
const crypto = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const { requireBuilt } = require('./built');

let mongo;
let api;
let agent;
const stopping = { done: false };

/** BENCH_MONGO_OPS=1: count the API's MongoDB operations by collection and method (printed at stop). */
const mongoOps = new Map();
if (process.env.BENCH_MONGO_OPS) {
  require('mongoose').set('debug', (coll, method) => mongoOps.set(`${coll}.${method}`, (mongoOps.get(`${coll}.${method}`) || 0) + 1));
}

async function start(msg) {
  const { startMongoWireServer } = requireBuilt('mongo-wire/dist');
  const { loadConfig } = requireBuilt('api/dist/config');
  const { startApiServer } = requireBuilt('api/dist/server');
  // on a Unix socket, as main.js (npm start) runs it
  mongo = await startMongoWireServer({ socketPath: path.join(os.tmpdir(), `cmdx-bench-store-${process.pid}.sock`) });
  const adminPassword = crypto.randomBytes(18).toString('base64url');
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.BENCH_API_LOG_LEVEL || 'error',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_URI: `${mongo.uri}/cmd-executor`,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: adminPassword,
    SHUTDOWN_TIMEOUT_MS: '2000',
    JWT_SECRET: crypto.randomBytes(32).toString('base64url'),
    WORKER_TOKEN_SECRET: crypto.randomBytes(32).toString('base64url'),
    // The per-user request limit (600/min by default) guards a shared service; a benchmark
    // submitting 1,000 jobs a minute would only measure the limiter.
    RATE_LIMIT_MAX: '10000000',
    // MONGO_IN_PROCESS=false: the API reaches the store over its socket only (to compare)
    ...(process.env.MONGO_IN_PROCESS ? { MONGO_IN_PROCESS: process.env.MONGO_IN_PROCESS } : {}),
    ...msg.env,
  });
  api = await startApiServer({ config });
  if (msg.localAgent) await startLocalAgent(msg.localAgent.concurrency, msg.workDir);
  process.send({ op: 'ready', url: api.url, wsUrl: api.wsUrl, adminUsername: 'admin', adminPassword });
}

async function mintToken(name, labels) {
  const { UserModel } = requireBuilt('api/dist/storage/models');
  const admin = await UserModel.findOne({ role: 'ADMIN' }).sort({ createdAt: 1 }).exec();
  if (!admin) throw new Error('no admin user to own the worker token');
  const issued = await api.container.services.workerTokens.create({ id: admin.id, name: admin.username }, name, labels);
  return issued.token;
}

/**
 * Queues `count` copies of the stored job `jobId` straight into the store (a backlog of 100,000
 * through createJob would take minutes): each the very document createJob stored, with its own
 * _id and its queue time, createdAt and updatedAt a millisecond apart before the original's
 * (so they queue ahead of it, in insertion order; none in the future, so a job created after
 * this call queues behind them all). Inserted raw in batches (no model defaults
 * to apply: the original already has them all); no events, as no one waits for these.
 */
async function cloneJobs(jobId, count) {
  const { Types } = require('mongoose');
  const { JobModel } = requireBuilt('api/dist/storage/models');
  const original = await JobModel.collection.findOne({ _id: new Types.ObjectId(jobId) });
  if (!original) throw new Error(`no job ${jobId} to clone`);
  const t0 = Date.now();
  const base = original.queuedAt.getTime();
  for (let i = 0; i < count; i += 5000) {
    const docs = [];
    for (let k = i; k < Math.min(count, i + 5000); k += 1) {
      const at = new Date(base - count + k);
      docs.push({ ...original, _id: new Types.ObjectId(), queuedAt: at, createdAt: at, updatedAt: at });
    }
    await JobModel.collection.insertMany(docs, { ordered: false });
  }
  return Date.now() - t0;
}

/**
 * The embedded default's local agent as api/src/main.ts runs it (a child process, see
 * api/src/local-agent.ts), with the slots the benchmark asks for; resolves once it is ONLINE.
 */
async function startLocalAgent(concurrency, workDir) {
  const { startLocalAgent: startLocalAgentProcess } = requireBuilt('api/dist/local-agent');
  const { WorkerModel } = requireBuilt('api/dist/storage/models');
  const labels = ['local', os.platform()];
  const token = await mintToken('local', labels);
  agent = startLocalAgentProcess({
    server: api.url,
    token,
    name: 'local',
    labels,
    concurrency,
    workDir: path.join(workDir, 'local-agent'),
    logLevel: process.env.BENCH_AGENT_LOG_LEVEL || 'error',
    logger: require('pino')({ level: process.env.BENCH_AGENT_LOG_LEVEL || 'error' }),
  });
  const deadline = Date.now() + 20_000;
  while (!(await WorkerModel.exists({ name: 'local', status: 'ONLINE' }))) {
    if (Date.now() > deadline) throw new Error('the local agent did not come ONLINE within 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop() {
  if (stopping.done) return;
  stopping.done = true;
  if (mongoOps.size > 0) {
    const lines = [...mongoOps].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(7)} ${k}`);
    process.stderr.write(`embedded-server: MongoDB operations\n${lines.join('\n')}\n`);
  }
  for (const [name, fn] of [
    ['agent', () => agent && agent.stop()],
    ['api', () => api && api.close()],
    ['mongo', () => mongo && mongo.close()],
  ]) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`embedded-server: stopping ${name} failed: ${err && err.message}\n`);
    }
  }
}

process.on('message', (msg) => {
  const reply = (extra) => process.send({ op: 'reply', id: msg.id, ...extra });
  const fail = (err) => reply({ error: err && err.stack ? err.stack : String(err) });
  switch (msg.op) {
    case 'start':
      start(msg).catch((err) => {
        process.send({ op: 'failed', error: err && err.stack ? err.stack : String(err) });
        stop().finally(() => process.exit(1));
      });
      break;
    case 'startAgent':
      startLocalAgent(msg.concurrency, msg.workDir).then(() => reply({}), fail);
      break;
    case 'mintToken':
      mintToken(msg.name, msg.labels).then((token) => reply({ token }), fail);
      break;
    case 'cloneJobs':
      cloneJobs(msg.jobId, msg.count).then((ms) => reply({ ms }), fail);
      break;
    case 'stop':
      stop().finally(() => process.exit(0));
      break;
    default:
      fail(new Error(`unknown op ${msg.op}`));
  }
});
// The parent died without saying stop: do not outlive it.
process.on('disconnect', () => stop().finally(() => process.exit(0)));
