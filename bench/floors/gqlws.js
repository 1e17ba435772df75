'use strict';
/* The transport the floors measure, and nothing else: a graphql-ws server on `ws` with a schema
 * built from SDL and plain root functions (no storage, no pub/sub, no auth, no rate limit), and
 * the graphql-ws client as the worker agent uses it. The API's own copies of graphql 16,
 * graphql-ws and ws (resolved from api/), and its WebSocket limit (maxPayload 16 MiB,
 * api/src/transport/ws/graphql-ws-server.ts). */
const http = require('node:http');
const path = require('node:path');
const { fork } = require('node:child_process');
const { ROOT } = require('../lib/built');
const { cleanup } = require('../lib/common');

/** A module as the API resolves it, so the floors run the API's very copies of its libraries. */
const fromApi = (name) => require(require.resolve(name, { paths: [path.join(ROOT, 'api')] }));
const { buildSchema } = fromApi('graphql');
const { createClient } = fromApi('graphql-ws');
const { useServer } = fromApi('graphql-ws/use/ws');
const WebSocket = fromApi('ws');

/**
 * Serves `sdl` at ws://127.0.0.1:<port>/graphql; `roots` = { query, mutation, subscription },
 * each field a function (args) → value, a subscription field one returning an async iterable of
 * `{ <field>: value }`. Closed at cleanup.
 */
async function startGqlWsServer(sdl, roots) {
  const schema = buildSchema(sdl);
  const httpServer = http.createServer();
  const wss = new WebSocket.WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 16 * 1024 * 1024 });
  const server = useServer({ schema, roots }, wss);
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  let closed;
  const close = () =>
    (closed ??= (async () => {
      await server.dispose(); // closes every socket (1001)
      await new Promise((resolve) => httpServer.close(resolve));
    })());
  cleanup.add('graphql-ws floor server', close);
  return { url: `ws://127.0.0.1:${httpServer.address().port}/graphql`, close };
}

/** A graphql-ws client: one eager connection, no retries (a floor that reconnects measures nothing). */
function gqlWsClient(url) {
  return createClient({ url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: () => undefined });
}

/** One query or mutation over the client's socket (as WorkerClient.request does); throws on errors. */
function request(client, query, variables) {
  return new Promise((resolve, reject) => {
    let result;
    client.subscribe(
      { query, variables },
      {
        next: (v) => (result = v),
        error: (e) => reject(e instanceof Error ? e : new Error(`request failed: ${JSON.stringify(e && (e.reason || e.message || e))}`)),
        complete: () => (result && result.errors ? reject(new Error(`GraphQL error: ${result.errors[0].message}`)) : resolve(result && result.data)),
      },
    );
  });
}

/**
 * Forks `file` (a floor's client role) with `args`, and resolves with the one message it sends
 * back (its figures); rejects if it exits without one. Killed at cleanup if still running.
 */
function runChild(file, args) {
  const child = fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  cleanup.add(`child ${file}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let message;
    child.once('message', (m) => (message = m));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (message && message.error) reject(new Error(`${file}: ${message.error}`));
      else if (message) resolve(message);
      else reject(new Error(`${file} exited (${code ?? signal}) without its figures`));
    });
  });
}

/** CPU seconds (user + system) this process spent since `since` (a process.cpuUsage() value). */
function cpuSecs(since) {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/**
 * In a forked child: runs `fn`, sends its result (with `cpuSecs`, the CPU it took) or its error
 * to the parent, exits.
 */
function childMain(fn) {
  const cpu0 = process.cpuUsage();
  fn().then(
    (result) => process.send({ ...result, cpuSecs: cpuSecs(cpu0) }, () => process.exit(0)),
    (err) => process.send({ error: err && err.stack ? err.stack : String(err) }, () => process.exit(1)),
  );
}

module.exports = { startGqlWsServer, gqlWsClient, request, runChild, childMain, cpuSecs };
