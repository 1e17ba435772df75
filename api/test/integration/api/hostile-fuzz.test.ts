/**
 * A seeded, bounded fuzz run over real HTTP and graphql-ws: malformed JSON, wrong types,
 * oversized and deeply nested documents and variables, protocol messages out of order. It
 * asserts that a client's mistake is never a 5xx and every error carries a code, that a bad
 * operation never closes its socket (a live subscription beside it keeps receiving), that
 * protocol violations close with a 44xx code and a fixed reason, that /healthz answers fast
 * afterwards, and that a secret env value never shows up in a response, a log line or a Redis
 * message (all channels of this API's prefix, captured with PSUBSCRIBE).
 * `FUZZ_SEED=<n>` replays a run; `FUZZ_CASES=<n>` changes its size (600 HTTP cases and half as
 * many WebSocket ones by default: each run draws a new seed, so the runs cover more together).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { prng } from '@cmd-executor/test-support/seeded-random';
import { gql } from '@cmd-executor/test-support/graphql-client';
import { openRawGraphqlWs, type RawGraphqlWs } from '@cmd-executor/test-support/raw-graphql-ws';
import { startTestApi, TEST_REDIS_URL, type TestApi } from '@cmd-executor/test-support/test-api';
import { createUser, createWorkerToken } from '@cmd-executor/test-support/accounts';
import { WS_MESSAGE_LIMITS } from '../../../src/transport/ws/message-size-guard';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
const HTTP_CASES = Number(process.env.FUZZ_CASES ?? 600);
const WS_CASES = Math.round(HTTP_CASES / 2);
const SECRET = `S3cr3t-${randomBytes(9).toString('hex')}`;

jest.setTimeout(120_000);

let t: TestApi;
const logs: Array<Record<string, unknown>> = [];
const redisMessages: string[] = [];
let sub: Redis;
let userToken: string;
let workerToken: string;

beforeAll(async () => {
  // eslint-disable-next-line no-console
  console.log(`hostile fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  t = await startTestApi({
    logs,
    // Budgets per request are what is under test, not the per-minute rate limit.
    env: { RATE_LIMIT_MAX: '10000000', ANON_RATE_LIMIT_MAX: '10000000', LOGIN_RATE_LIMIT_MAX: '10000000', QUERY_MAX_COST: '2000' },
  });
  sub = new Redis(TEST_REDIS_URL);
  sub.on('pmessage', (_pattern, _channel, message: string) => void redisMessages.push(message));
  await sub.psubscribe(`${t.redisPrefix}*`);
  userToken = (await createUser(t, 'fuzzy')).token;
  workerToken = (await createWorkerToken(t, 'fuzz-worker')).token;
});

afterAll(async () => {
  sub?.disconnect();
  await t?.close();
});

// ---- the case generator ----

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, n: number): number => Math.floor(r() * n);

const OPERATIONS = [
  { query: 'query Me { me { id username role } }' },
  { query: 'query J($id: ID!) { job(id: $id) { id command status env { name value secret } } }', variables: { id: '000000000000000000000000' } },
  { query: 'query L($n: Int, $s: [JobStatus!]) { jobs(first: $n, status: $s) { edges { cursor node { id status } } } }', variables: { n: 5, s: ['QUEUED'] } },
  {
    query: 'mutation C($i: CreateJobInput!) { createJob(input: $i) { id env { name value secret } } }',
    variables: { i: { command: 'true', env: [{ name: 'TOKEN', value: SECRET, secret: true }], requirements: ['nowhere'] } },
  },
  { query: 'mutation In($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'nobody', p: SECRET } },
  { query: '{ workers { id name labels } }' },
  { query: 'mutation X($id: ID!) { cancelJob(id: $id) { id } }', variables: { id: 'zz' } },
] as const;

// The secret goes only where it stays secret or is refused: an env value marked secret, a
// password, an unknown field, an operation name. Anywhere else (a command, say) it would be
// stored as plain data and rightly published.
const JUNK_VALUES: unknown[] = ['', 'ten', -1, 2 ** 53, 1.5, true, null, [], {}, ['x'], { value: SECRET, secret: true }, 'x'.repeat(5000)];

function nested(r: Rand, depth: number): unknown {
  let v: unknown = SECRET;
  for (let i = 0; i < depth; i++) v = r() < 0.5 ? [v] : { [pick(r, ['a', 'env', 'value'])]: v };
  return v;
}

/** A value of the same shape with one random leaf or branch replaced by junk. */
function mutateValue(r: Rand, v: unknown, depth = 0): unknown {
  if (depth > 4 || r() < 0.3) return r() < 0.15 ? nested(r, 5 + int(r, 60)) : pick(r, JUNK_VALUES);
  if (Array.isArray(v)) return v.length === 0 ? [pick(r, JUNK_VALUES)] : v.map((x, i) => (i === int(r, v.length) ? mutateValue(r, x, depth + 1) : x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(out).filter((k) => k !== 'secret');
    if (keys.length === 0 || r() < 0.15) out[pick(r, ['bogus', SECRET, 'name', '__proto__'])] = pick(r, JUNK_VALUES);
    else {
      const k = pick(r, keys);
      if (r() < 0.2) delete out[k];
      else out[k] = mutateValue(r, out[k], depth + 1);
    }
    return out;
  }
  return pick(r, JUNK_VALUES);
}

function mutateQuery(r: Rand, q: string): string {
  switch (int(r, 9)) {
    case 0:
      return q.slice(0, int(r, q.length));
    case 1: {
      const at = int(r, q.length);
      return q.slice(0, at) + pick(r, ['{', '}', '(', '$', '@skip', '...', '"', '#', '\u0000', ' nope ', ':', '!']) + q.slice(at);
    }
    case 2:
      return `{ ${Array.from({ length: 20 + int(r, 3000) }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    case 3:
      return `{ __typename ${'@skip(if: false) '.repeat(5 + int(r, 2000))}}`;
    case 4:
      return `{ me { ${'id '.repeat(10 + int(r, 3000))}} }`;
    case 5: {
      const depth = 5 + int(r, 400);
      return `${'{ jobs { edges { node { createdBy '.repeat(1)}${'{ id '.repeat(depth)}${'}'.repeat(depth)} } } } }`;
    }
    case 6: {
      const n = 2 + int(r, 12);
      const spreads = 2 + int(r, 20);
      const frags = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ${i === n - 1 ? '__typename' : Array.from({ length: spreads }, (__, j) => `a${j}: me { __typename } ...F${i + 1}`).join(' ')} }`);
      return `{ ...F0 } ${frags.join(' ')}`;
    }
    case 7:
      return q.replace(/\w+/g, (w) => (r() < 0.2 ? `${w}x` : w));
    default:
      return `${q} ${'#'.repeat(int(r, 100))}\n${' '.repeat(int(r, 200_000))}`;
  }
}

interface HttpCase {
  raw?: string;
  contentType?: string;
  body?: unknown;
  method?: 'GET' | 'POST';
  search?: string;
  who: 'anonymous' | 'user' | 'worker';
}

function httpCase(r: Rand): HttpCase {
  const who = pick(r, ['anonymous', 'user', 'worker'] as const);
  const op = pick(r, OPERATIONS);
  const vars = 'variables' in op ? op.variables : undefined;
  switch (int(r, 10)) {
    case 0: {
      const text = JSON.stringify({ ...op });
      return { who, raw: text.slice(0, int(r, text.length)) + pick(r, ['', '\u0000', '}}}', '\\', '"']) };
    }
    case 1:
      return { who, raw: randomBytesFrom(r, 1 + int(r, 300)) };
    case 2:
      return { who, raw: JSON.stringify(op), contentType: pick(r, ['text/plain', 'application/x-www-form-urlencoded', 'application/graphql']) };
    case 3:
      return { who, body: pick(r, [[op, op], 'query', 42, null, { query: 42 }, { query: op.query, variables: pick(r, ['{}', [1], 7, SECRET]) }, { query: op.query, operationName: 5 }, {}]) };
    case 4:
      return { who, body: { query: op.query, variables: mutateValue(r, vars ?? {}) } };
    case 5:
      return { who, body: { query: op.query, variables: vars, operationName: pick(r, ['Nope', '', SECRET, 'Me', null]) } };
    case 6:
      return { who, body: { query: mutateQuery(r, op.query), variables: vars } };
    case 7:
      return { who, body: { query: op.query, variables: { ...(vars ?? {}), deep: nested(r, 20 + int(r, 3000)) } } };
    case 8:
      return {
        who,
        method: 'GET',
        search: `?query=${encodeURIComponent(r() < 0.5 ? op.query : mutateQuery(r, op.query).slice(0, 6000))}&variables=${encodeURIComponent(r() < 0.5 ? JSON.stringify(mutateValue(r, vars ?? {})) : '{bad')}`,
      };
    default:
      return { who, body: { query: mutateQuery(r, op.query), variables: mutateValue(r, vars ?? {}) } };
  }
}

function randomBytesFrom(r: Rand, n: number): string {
  return Array.from({ length: n }, () => String.fromCharCode(int(r, 256))).join('');
}

// ---- running cases ----

interface Outcome {
  status: number;
  text: string;
}

async function sendHttp(c: HttpCase): Promise<Outcome> {
  const headers: Record<string, string> = { 'content-type': c.contentType ?? 'application/json', 'apollo-require-preflight': 'true' };
  if (c.who === 'user') headers.authorization = `Bearer ${userToken}`;
  if (c.who === 'worker') headers['x-worker-token'] = workerToken;
  const res =
    c.method === 'GET'
      ? await fetch(`${t.url}${c.search ?? ''}`, { headers })
      : await fetch(t.url, { method: 'POST', headers, body: c.raw ?? JSON.stringify(c.body) });
  return { status: res.status, text: await res.text() };
}

/** Every error in a JSON answer has a string code. */
function codesOf(text: string): { json: boolean; missing: number } {
  let body: { errors?: Array<{ extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { json: false, missing: 0 };
  }
  const missing = (body.errors ?? []).filter((e) => typeof e.extensions?.code !== 'string').length;
  return { json: true, missing };
}

async function healthzMedianMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const res = await fetch(t.url.replace(/\/graphql$/, '/healthz'));
    await res.text();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2];
}

// ---- WebSocket helpers ----

type RawSocket = RawGraphqlWs;
const openSocket = (init?: Record<string, unknown>): Promise<RawSocket> => openRawGraphqlWs(t.wsUrl, init);

const FIXED_REASONS = new Set(['', 'Normal closure', 'Going away', 'Bad request', 'Unauthorized', 'Forbidden', 'Subprotocol not acceptable', 'Connection initialisation timeout', 'Subscriber already exists', 'Too many initialisation requests', 'Message too big']);

// ---- the run ----

it('answers hundreds of malformed HTTP requests with 4xx (or 200) and a code, never 5xx, never a secret', async () => {
  const r = prng(SEED);
  const cases = Array.from({ length: HTTP_CASES }, () => httpCase(r));
  const failures: string[] = [];
  let next = 0;
  const byStatus = new Map<number, number>();
  const workerLoop = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      const out = await sendHttp(c);
      byStatus.set(out.status, (byStatus.get(out.status) ?? 0) + 1);
      const { json, missing } = codesOf(out.text);
      const problem =
        out.status >= 500
          ? `status ${out.status}`
          : out.text.includes(SECRET)
            ? 'secret in response'
            : missing > 0
              ? `${missing} error(s) without a code`
              : // 431: Node itself refuses a URL over its header limit, before any of our code.
                out.status !== 200 && out.status !== 431 && !json
                ? 'non-JSON error answer'
                : undefined;
      if (problem && failures.length < 10) failures.push(`case ${i} (${c.who}): ${problem}: ${JSON.stringify(c.body ?? c.raw ?? c.search).slice(0, 200)} -> ${out.text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, workerLoop));
  // eslint-disable-next-line no-console
  console.log(`HTTP statuses: ${JSON.stringify(Object.fromEntries(byStatus))}`);
  expect(failures).toEqual([]);
  expect((byStatus.get(400) ?? 0) + (byStatus.get(413) ?? 0)).toBeGreaterThan(HTTP_CASES / 4);
  expect(await healthzMedianMs()).toBeLessThan(100);
});

it('fails each bad WebSocket operation alone: an error for its id, the socket and its live subscription survive', async () => {
  const r = prng(SEED + 1);
  const kinds = ['user', 'user', 'anonymous'] as const;
  const sockets = await Promise.all(kinds.map((k) => openSocket(k === 'user' ? { authToken: userToken } : {})));
  const oversized = new Map<number, string>();
  for (const s of sockets) s.send({ id: 'live', type: 'subscribe', payload: { query: 'subscription { jobUpdated { id status } }' } });
  await new Promise((res) => setTimeout(res, 200));
  for (let i = 0; i < WS_CASES; i++) {
    const s = sockets[i % sockets.length];
    const op = pick(r, OPERATIONS);
    const vars = 'variables' in op ? op.variables : undefined;
    // Variables that are not an object are a malformed message (a protocol violation, 4400: see below).
    const mutated = mutateValue(r, vars ?? {});
    const payload = pick(r, [
      { query: mutateQuery(r, op.query), variables: vars },
      { query: op.query, variables: mutated && typeof mutated === 'object' && !Array.isArray(mutated) ? mutated : { v: mutated } },
      { query: op.query, variables: vars, operationName: pick(r, ['Nope', SECRET]) },
      { query: op.query, variables: { ...(vars ?? {}), deep: nested(r, 20 + int(r, 2000)) } },
    ]);
    const text = JSON.stringify({ id: `op${i}`, type: 'subscribe', payload });
    // Over its sender's message limit a message is refused whole, socket and all (checked below).
    if (Buffer.byteLength(text) > WS_MESSAGE_LIMITS[kinds[i % sockets.length]]) oversized.set(i, text);
    else s.send(text);
  }
  const settled = (s: RawSocket, i: number) => s.messages.some((m) => m.id === `op${i}` && (m.type === 'error' || m.type === 'complete'));
  for (let i = 0; i < WS_CASES; i++) {
    if (oversized.has(i)) continue;
    const s = sockets[i % sockets.length];
    if (!(await s.waitFor(() => settled(s, i), 20_000))) {
      throw new Error(`op${i} never settled (socket closed: ${JSON.stringify(s.closed)}); got ${JSON.stringify(s.messages.filter((m) => m.id === `op${i}`)).slice(0, 300)}`);
    }
  }
  for (const s of sockets) {
    expect(s.closed).toBeUndefined();
    for (const m of s.messages.filter((x) => x.type === 'error')) {
      for (const e of m.payload as Array<{ extensions?: { code?: unknown } }>) expect(typeof e.extensions?.code).toBe('string');
    }
    expect(s.raw.join('\n')).not.toContain(SECRET);
  }
  const codes = new Map<string, number>();
  for (const s of sockets) for (const m of s.messages) if (m.type === 'error') for (const e of m.payload as Array<{ extensions: { code: string } }>) codes.set(e.extensions.code, (codes.get(e.extensions.code) ?? 0) + 1);
  // eslint-disable-next-line no-console
  console.log(`WebSocket error codes: ${JSON.stringify(Object.fromEntries(codes))}`);
  expect(codes.get('INTERNAL_SERVER_ERROR')).toBeUndefined();

  // The live subscriptions still deliver.
  const created = await gql<{ createJob: { id: string } }>(t.url, 'mutation($i: CreateJobInput!) { createJob(input: $i) { id } }', { i: { command: 'true', env: [{ name: 'K', value: SECRET, secret: true }], requirements: ['nowhere'] } }, { token: userToken });
  const id = created.data!.createJob.id;
  for (const s of sockets.slice(0, 2)) {
    expect(await s.waitFor(() => s.messages.some((m) => m.id === 'live' && m.type === 'next' && JSON.stringify(m.payload).includes(id)))).toBe(true);
  }
  for (const s of sockets) s.ws.close();

  // The oversized ones, each on a socket of its own kind: closed unparsed with 1009, no secret quoted.
  for (const [i, text] of [...oversized].slice(0, 5)) {
    const kind = kinds[i % kinds.length];
    const s = await openSocket(kind === 'user' ? { authToken: userToken } : {});
    s.send(text);
    expect(await s.waitFor(() => s.closed !== undefined)).toBe(true);
    expect(s.closed).toEqual({ code: 1009, reason: 'Message too big' });
    expect(s.messages.filter((m) => m.id === `op${i}`)).toEqual([]);
  }
  expect(await healthzMedianMs()).toBeLessThan(100);
});

it('closes a socket that breaks the protocol with a 44xx code and a fixed reason, never 4500 and never quoting input', async () => {
  const r = prng(SEED + 2);
  const scripts: Array<(s: RawSocket) => void> = [
    (s) => s.send({ id: SECRET, type: 'subscribe', payload: { query: '{ __typename }' } }), // before connection_init
    (s) => {
      s.send({ type: 'connection_init' });
      s.send({ type: 'connection_init' });
    },
    (s) => s.send(`{"type": "${SECRET}"`),
    (s) => s.send({ type: SECRET }),
    (s) => s.send({ type: 'subscribe', id: 5, payload: {} }),
    (s) => {
      s.send({ type: 'connection_init', payload: {} });
      s.send({ id: SECRET, type: 'subscribe', payload: { query: 'subscription { jobUpdated { id } }' } });
      s.send({ id: SECRET, type: 'subscribe', payload: { query: 'subscription { jobUpdated { id } }' } });
    },
    (s) => {
      s.send({ type: 'connection_init', payload: { authToken: SECRET } });
    },
    (s) => {
      s.send({ type: 'connection_init', payload: {} });
      s.send({ id: 'q', type: 'subscribe', payload: { query: 42 } });
    },
    (s) => s.send(randomBytesFrom(r, 50)),
  ];
  for (let round = 0; round < 3; round++) {
    for (const script of scripts) {
      const s = await openSocket();
      script(s);
      expect(await s.waitFor(() => s.closed !== undefined, 5000)).toBe(true);
      expect(s.closed!.code).toBeGreaterThanOrEqual(4400);
      expect(s.closed!.code).toBeLessThan(4500);
      expect(FIXED_REASONS.has(s.closed!.reason)).toBe(true);
      expect(s.raw.join('\n')).not.toContain(SECRET);
    }
  }
  // Allowed out of order: ping before init, complete for an unknown id.
  const s = await openSocket({});
  s.send({ type: 'ping' });
  s.send({ id: 'never-started', type: 'complete' });
  s.send({ id: 'after', type: 'subscribe', payload: { query: '{ __typename }' } });
  expect(await s.waitFor(() => s.messages.some((m) => m.id === 'after' && m.type === 'complete'))).toBe(true);
  expect(s.closed).toBeUndefined();
  s.ws.close();
});

it('let no secret value into a log line or a Redis message, and logged no client mistake as an internal error', () => {
  expect(redisMessages.some((m) => m.includes('"env"'))).toBe(true); // job events were captured
  expect(redisMessages.filter((m) => m.includes(SECRET))).toEqual([]);
  const all = logs.map((l) => JSON.stringify(l));
  expect(all.filter((l) => l.includes(SECRET))).toEqual([]);
  // The error's own message goes with it, so a failure here says what went wrong.
  const errorLines = logs.filter((l) => (l.level as number) >= 50);
  expect(errorLines.map((l) => `${String(l.msg)}${(l.err as { message?: string } | undefined)?.message ? `: ${(l.err as { message: string }).message}` : ''}`)).toEqual([]);
});
