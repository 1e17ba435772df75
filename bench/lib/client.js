'use strict';
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

/** One GraphQL request over HTTP (fetch keeps the connection alive); throws on GraphQL errors. */
async function gql(url, query, variables, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  if (body.errors && body.errors.length > 0) {
    const e = body.errors[0];
    throw new Error(`GraphQL error ${e.extensions && e.extensions.code}: ${e.message}`);
  }
  return body.data;
}

/** A graphql-ws client authenticated as a user (connectionParams.authToken). */
function wsClient(wsUrl, token) {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authToken: token },
    retryAttempts: 0,
    lazy: true,
    onNonLazyError: () => undefined,
  });
}

/** Subscribes; `onData(data)` per event. Returns the unsubscribe function. */
function subscribe(client, query, variables, onData, onError) {
  return client.subscribe(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) onError(new Error(`subscription error: ${JSON.stringify(v.errors)}`));
        else if (v.data) onData(v.data);
      },
      error: (e) => onError(e instanceof Error ? e : new Error(`subscription failed: ${JSON.stringify(e && (e.reason || e.message || e))}`)),
      complete: () => undefined,
    },
  );
}

const CREATE_JOB = 'mutation($input: CreateJobInput!) { createJob(input: $input) { id } }';

module.exports = { gql, wsClient, subscribe, CREATE_JOB };
