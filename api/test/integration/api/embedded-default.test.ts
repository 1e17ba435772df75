import { startMongoWireServer, type MongoWireServer } from '@cmd-executor/mongo-wire';
import mongoose from 'mongoose';
import { loadConfig } from '../../../src/config';
import { startApiServer, type ApiServer } from '../../../src/server';
import { collect, errorCode, gql, login, wsClient } from '@cmd-executor/test-support/graphql-client';

// The `npm start` default on a fresh machine as main.ts composes it: the embedded MongoDB-wire
// server started beside the API (its URI handed to the configuration) and no REDIS_URL, so
// pub/sub and the rate limiter are in-process.
const env = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
  ADMIN_PASSWORD: 'embedded-admin-password',
  RATE_LIMIT_MAX: '6',
  RATE_LIMIT_WINDOW_MS: '60000',
};
let mongo: MongoWireServer;
let api: ApiServer;
beforeAll(async () => {
  mongo = await startMongoWireServer({ port: 0 });
  const config = loadConfig({ ...env, MONGODB_URI: `${mongo.uri}/cmd-executor` });
  expect(config.redis.url).toBeUndefined();
  api = await startApiServer({ config });
});
afterAll(async () => {
  await api?.close();
  await mongo?.close();
});

it('refuses to start without a MongoDB URI (the API never starts a store itself)', async () => {
  const config = loadConfig(env);
  expect(config.mongo.uri).toBeUndefined();
  await expect(startApiServer({ config })).rejects.toThrow(/MONGODB_URI/);
});

it('runs on the embedded store with in-process pub/sub and rate limits', async () => {
  expect(api.container.redis).toBeUndefined();
  const token = await login(api.url, 'admin', 'embedded-admin-password');

  const client = wsClient(api.wsUrl, { authToken: token });
  const updates = collect<{ jobUpdated: { command: string; status: string } }>(client, 'subscription { jobUpdated { command status } }');
  await new Promise((r) => setTimeout(r, 200));
  const created = await gql(api.url, 'mutation { createJob(input: {command: "echo hello"}) { id status } }', {}, { token });
  expect(created.errors).toBeUndefined();
  await updates.until(() => updates.events.some((e) => e.jobUpdated.command === 'echo hello'));
  await client.dispose();

  // The admin's budget of 6: the subscription, createJob, then 4 more; login was anonymous (by address).
  const statuses: number[] = [];
  for (let i = 0; i < 5; i += 1) statuses.push((await gql(api.url, '{ __typename }', undefined, { token })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 429]);
  const over = await gql(api.url, '{ __typename }', undefined, { token });
  expect(over.status).toBe(429);
  expect(errorCode(over)).toBe('RATE_LIMITED');
});

it('closes its MongoDB connection with the server and leaves the store to its owner', async () => {
  await api.close();
  expect(mongoose.connection.readyState).toBe(mongoose.ConnectionStates.disconnected);
  // The store outlives the API: a new connection to it still answers.
  const client = await mongoose.createConnection(`${mongo.uri}/cmd-executor`).asPromise();
  try {
    expect(await client.db!.collection('users').countDocuments()).toBeGreaterThan(0);
  } finally {
    await client.close();
  }
});
