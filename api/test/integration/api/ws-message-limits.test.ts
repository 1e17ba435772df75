/**
 * Each graphql-ws message is held to its sender's size limit before the server parses it:
 * 64 KiB until the handshake is acknowledged and for anonymous sockets, 1 MiB for a signed-in
 * user, 16 MiB for a worker agent (its log batches). Over the limit the socket is closed with
 * 1009 "Message too big" and nothing in the message is acted on; other sockets carry on.
 */
import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { FakeWorker } from '@cmd-executor/test-support/fake-worker';
import { gql, ok } from '@cmd-executor/test-support/graphql-client';
import { openRawGraphqlWs, type RawGraphqlWs } from '@cmd-executor/test-support/raw-graphql-ws';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

jest.setTimeout(30_000);

const KiB = 1024;
const MiB = 1024 * KiB;

let t: TestApi;
let userToken: string;
const logs: Array<Record<string, unknown>> = [];
const opened: RawGraphqlWs[] = [];
beforeAll(async () => {
  t = await startTestApi({ logs });
  userToken = (await createUser(t, 'sizer')).token;
});
afterAll(async () => {
  for (const s of opened) s.ws.terminate();
  await t?.close();
});

async function open(init?: Record<string, unknown>): Promise<RawGraphqlWs> {
  const s = await openRawGraphqlWs(t.wsUrl, init);
  opened.push(s);
  return s;
}

/** A subscribe message of exactly `bytes` bytes: its `$id` variable is padded to fit. */
function subscribeOfSize(id: string, bytes: number): string {
  const message = (pad: string) => JSON.stringify({ id, type: 'subscribe', payload: { query: 'query($id: ID!) { job(id: $id) { id } }', variables: { id: pad } } });
  const text = message('x'.repeat(bytes - message('').length));
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

/** The socket answered operation `id` (a result or an error for it): the message was parsed. */
const answered = (s: RawGraphqlWs, id: string) => s.messages.some((m) => m.id === id && (m.type === 'next' || m.type === 'error'));

async function meOn(s: RawGraphqlWs, id: string): Promise<unknown> {
  s.send({ id, type: 'subscribe', payload: { query: '{ me { username } }' } });
  expect(await s.waitFor(() => s.messages.some((m) => m.id === id && m.type === 'next'))).toBe(true);
  return s.messages.find((m) => m.id === id && m.type === 'next')!.payload;
}

describe('before the handshake is acknowledged', () => {
  it('refuses a 1 MiB anonymous connection_init unparsed with 1009; another socket keeps working', async () => {
    const user = await open({ authToken: userToken });
    expect(user.messages.map((m) => m.type)).toEqual(['connection_ack']);

    const anon = await open();
    // Valid JSON and a valid connection_init: parsed, it would be acknowledged.
    anon.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(MiB) } }));
    expect(await anon.waitClosed()).toEqual({ code: 1009, reason: 'Message too big' });
    expect(anon.messages).toEqual([]);
    // The operator hears of it: sizes, never content.
    expect(logs.filter((l) => l.msg === 'websocket message over its size limit: socket closed')).toEqual([
      expect.objectContaining({ caller: 'pending', bytes: expect.any(Number) as number, limit: 64 * KiB }),
    ]);
    expect(logs.some((l) => JSON.stringify(l).includes('xxxxxxxx'))).toBe(false);

    expect(await meOn(user, 'me-after')).toEqual({ data: { me: { username: 'sizer' } } });
    expect(user.closed).toBeUndefined();
  });

  it('holds a signed-in caller to 64 KiB too until its credential is checked', async () => {
    const s = await open();
    s.send(JSON.stringify({ type: 'connection_init', payload: { authToken: userToken, pad: 'x'.repeat(64 * KiB) } }));
    expect((await s.waitClosed()).code).toBe(1009);
    expect(s.messages).toEqual([]);

    const fits = await open({ authToken: userToken, pad: 'x'.repeat(60 * KiB) });
    expect(fits.messages.map((m) => m.type)).toEqual(['connection_ack']);
    expect(fits.closed).toBeUndefined();
  });
});

describe('after the handshake', () => {
  it('gives an anonymous socket 64 KiB per message', async () => {
    const s = await open({});
    expect(s.messages.map((m) => m.type)).toEqual(['connection_ack']);
    s.send(subscribeOfSize('fits', 64 * KiB));
    expect(await s.waitFor(() => answered(s, 'fits'))).toBe(true);
    // Parsed and refused by the anonymous variable budget, for this operation only.
    const error = s.messages.find((m) => m.id === 'fits')!;
    expect(error.type).toBe('error');
    expect(s.closed).toBeUndefined();

    s.send(subscribeOfSize('over', 64 * KiB + 1));
    expect(await s.waitClosed()).toEqual({ code: 1009, reason: 'Message too big' });
    expect(answered(s, 'over')).toBe(false);
  });

  it('lets a signed-in user send a message up to 1 MiB, and closes on one byte more', async () => {
    const s = await open({ authToken: userToken });
    s.send(subscribeOfSize('fits', MiB));
    expect(await s.waitFor(() => answered(s, 'fits'))).toBe(true);
    expect(s.closed).toBeUndefined();
    expect(await meOn(s, 'still-open')).toEqual({ data: { me: { username: 'sizer' } } });

    s.send(subscribeOfSize('over', MiB + 1));
    expect(await s.waitClosed()).toEqual({ code: 1009, reason: 'Message too big' });
    expect(answered(s, 'over')).toBe(false);
  });

  it("accepts a worker's appendLogs batch of several MiB", async () => {
    const worker = new FakeWorker(t.wsUrl, (await createWorkerToken(t, 'big-batches')).token);
    try {
      await worker.register({ name: 'big-batches' });
      worker.subscribe();
      const job = ok(await gql<{ createJob: { id: string } }>(t.url, 'mutation { createJob(input: { command: "true" }) { id } }', undefined, { token: t.adminToken })).createJob;
      await worker.waitFor((e) => e.some((x) => x.jobId === job.id && x.kind === 'ASSIGN'));
      ok(await worker.start(job.id, 1));
      const chunks = [1, 2, 3].map((seq) => ({ seq, data: `${String(seq).repeat(MiB)}\n` }));
      expect(ok(await worker.append(job.id, 1, chunks)).appendLogs.ackedSeq).toBe(3);
      ok(await worker.complete(job.id, 1, { exitCode: 0 }));
    } finally {
      await worker.close();
    }
  });

  it("closes a worker's socket with 1009 past the server's 16 MiB, like any other refusal", async () => {
    const s = await open({ workerToken: (await createWorkerToken(t, 'too-big')).token });
    expect(s.messages.map((m) => m.type)).toEqual(['connection_ack']);
    logs.length = 0;
    s.send(subscribeOfSize('over', 16 * MiB + 1));
    expect(await s.waitClosed()).toEqual({ code: 1009, reason: 'Message too big' });
    expect(answered(s, 'over')).toBe(false);
    expect(logs.filter((l) => l.msg === 'websocket message over its size limit: socket closed')).toEqual([expect.objectContaining({ caller: 'worker', limit: 16 * MiB })]);
    expect(logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});
