import type { Client } from 'graphql-ws';
import { createUser } from '@cmd-executor/test-support/accounts';
import { collect, errorCode, gql, wsClient } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

// Two API instances on one store and one Redis prefix, as two replicas behind a load balancer.
let a: TestApi;
let b: TestApi;
const clients: Client[] = [];
beforeAll(async () => {
  a = await startTestApi({ env: { RATE_LIMIT_MAX: '8', RATE_LIMIT_WINDOW_MS: '60000' } });
  b = await startTestApi({ mongoUri: a.mongoUri, redisPrefix: a.redisPrefix, env: { RATE_LIMIT_MAX: '8', RATE_LIMIT_WINDOW_MS: '60000' } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await b?.close();
  await a?.close();
});

it('a jobUpdated published on one instance reaches a subscriber on the other', async () => {
  expect(a.url).not.toBe(b.url);
  const user = await createUser(a, 'replica-user');
  const client = wsClient(b.wsUrl, { authToken: user.token });
  clients.push(client);
  const all = collect<{ jobUpdated: { id: string; status: string; command: string } }>(client, 'subscription { jobUpdated { id status command } }');

  // Subscribing is asynchronous on the server (Redis SUBSCRIBE); publish until the first event lands.
  const created: string[] = [];
  const deadline = Date.now() + 5000;
  while (all.events.length === 0 && Date.now() < deadline) {
    const r = await gql<{ createJob: { id: string } }>(a.url, 'mutation { createJob(input: {command: "probe"}) { id } }', {}, { token: user.token });
    created.push(r.data!.createJob.id);
    await all.until(() => all.events.length > 0, 200).catch(() => undefined);
  }
  expect(all.events.length).toBeGreaterThan(0);

  const job = await gql<{ createJob: { id: string } }>(a.url, 'mutation { createJob(input: {command: "replicated"}) { id } }', {}, { token: user.token });
  const id = job.data!.createJob.id;
  const one = collect<{ jobUpdated: { id: string; status: string } }>(client, 'subscription($id: ID) { jobUpdated(id: $id) { id status } }', { id });
  await all.until(() => all.events.some((e) => e.jobUpdated.id === id && e.jobUpdated.command === 'replicated'));

  await new Promise((r) => setTimeout(r, 300));
  const cancel = await gql<{ cancelJob: { status: string } }>(a.url, 'mutation($id: ID!) { cancelJob(id: $id) { status } }', { id }, { token: user.token });
  expect(cancel.data?.cancelJob.status).toBe('CANCELED');
  await one.until(() => one.events.some((e) => e.jobUpdated.status === 'CANCELED'));
  expect(one.events.every((e) => e.jobUpdated.id === id)).toBe(true);
  await all.until(() => all.events.some((e) => e.jobUpdated.id === id && e.jobUpdated.status === 'CANCELED'));
});

it('the rate-limit budget is shared by the replicas', async () => {
  const user = await createUser(a, 'replica-rl');
  for (let i = 0; i < 8; i += 1) {
    const target = i % 2 === 0 ? a : b;
    expect((await gql(target.url, '{ __typename }', undefined, { token: user.token })).status).toBe(200);
  }
  const over = await gql(b.url, '{ __typename }', undefined, { token: user.token });
  expect(over.status).toBe(429);
  expect(errorCode(over)).toBe('RATE_LIMITED');
});
