import mongoose from 'mongoose';
import { loadConfig } from '../../../src/config';
import { startApiServer, type ApiServer } from '../../../src/server';
import { collect, errorCode, gql, wsClient } from '../../support/graphql-client';
import { login } from '../../support/start-test-api';

// No MONGODB_URI and no REDIS_URL: the API starts the embedded store itself and uses the
// in-process pub/sub and rate limiter — the `npm start` default on a fresh machine.
let api: ApiServer;
beforeAll(async () => {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_PASSWORD: 'embedded-admin-password',
    RATE_LIMIT_MAX: '6',
    RATE_LIMIT_WINDOW_MS: '60000',
  });
  expect(config.mongo.uri).toBeUndefined();
  expect(config.redis.url).toBeUndefined();
  api = await startApiServer({ config });
});
afterAll(async () => {
  await api?.close();
});

it('runs on the embedded store with in-process pub/sub and rate limits', async () => {
  expect(api.container.mongo.embedded).toBe(true);
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

it('closes the embedded store with the server', async () => {
  await api.close();
  expect(mongoose.connection.readyState).toBe(mongoose.ConnectionStates.disconnected);
});
