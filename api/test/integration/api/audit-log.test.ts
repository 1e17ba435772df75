import { createUser } from '@cmd-executor/test-support/accounts';
import { errorCode, gql, ok } from '@cmd-executor/test-support/graphql-client';
import { startTestApi, type TestApi } from '@cmd-executor/test-support/test-api';

const AUDIT = `query($first: Int, $after: String, $action: String, $actor: String) {
  auditLog(first: $first, after: $after, action: $action, actor: $actor) {
    edges { cursor node { id actorId actorName action targetId sourceAddress at details { name value } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Entry { id: string; actorId: string | null; actorName: string | null; action: string; targetId: string | null; sourceAddress: string | null; at: string; details: Array<{ name: string; value: string }> }
interface Page { auditLog: { edges: Array<{ cursor: string; node: Entry }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }

const ADMIN_ADDRESS = '192.0.2.50';
let t: TestApi;
let pat: { id: string; token: string; password: string };
let tokenId: string;
let jobId: string;

/** An admin request arriving through the (trusted) proxy from ADMIN_ADDRESS. */
const asAdmin = <T>(query: string, variables?: Record<string, unknown>) => gql<T>(t.url, query, variables, { token: t.adminToken, headers: { 'x-forwarded-for': ADMIN_ADDRESS } });

beforeAll(async () => {
  t = await startTestApi({ env: { TRUST_PROXY: '1' } });
  pat = await createUser(t, 'pat');
  const failed = await gql(t.url, 'mutation { login(username: "pat", password: "not-pats-password") { token } }', undefined, { headers: { 'x-forwarded-for': '203.0.113.7' } });
  expect(errorCode(failed)).toBe('UNAUTHENTICATED');
  tokenId = ok(await asAdmin<{ createWorkerToken: { id: string } }>('mutation { createWorkerToken(name: "audit-w") { id } }')).createWorkerToken.id;
  ok(await asAdmin(`mutation { rotateWorkerToken(id: "${tokenId}", graceSeconds: 5) { id } }`));
  ok(await asAdmin(`mutation { revokeWorkerToken(id: "${tokenId}") }`));
  ok(await asAdmin(`mutation { setUserRole(id: "${pat.id}", role: ADMIN) { id } }`));
  ok(await asAdmin(`mutation { setUserRole(id: "${pat.id}", role: USER) { id } }`));
  jobId = ok(await gql<{ createJob: { id: string } }>(t.url, 'mutation { createJob(input: { command: "true" }) { id } }', undefined, { token: pat.token })).createJob.id;
  ok(await asAdmin(`mutation { cancelJob(id: "${jobId}") { id } }`));
  ok(await asAdmin(`mutation { retryJob(id: "${jobId}") { id } }`));
});
afterAll(async () => {
  await t?.close();
});

async function all(vars: Record<string, unknown>, pageSize: number): Promise<Entry[]> {
  const out: Entry[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard += 1) {
    const page: Page = ok(await asAdmin<Page>(AUDIT, { ...vars, first: pageSize, after }));
    expect(page.auditLog.edges.length).toBeLessThanOrEqual(pageSize);
    out.push(...page.auditLog.edges.map((e) => e.node));
    if (!page.auditLog.pageInfo.hasNextPage) return out;
    after = page.auditLog.pageInfo.endCursor;
  }
  throw new Error('the audit log did not end');
}

it('pages newest first without repeating or skipping an entry, and records every admin action with actor, target and address', async () => {
  const whole = ok(await asAdmin<Page>(AUDIT, { first: 200 })).auditLog;
  expect(whole.pageInfo.hasNextPage).toBe(false);
  const paged = await all({}, 3);
  expect(paged.map((e) => e.id)).toEqual(whole.edges.map((e) => e.node.id));
  const times = paged.map((e) => Date.parse(e.at));
  expect([...times].sort((a, b) => b - a)).toEqual(times);

  const actions = paged.map((e) => e.action);
  for (const a of ['user.create', 'auth.signIn', 'auth.signInFailed', 'workerToken.create', 'workerToken.rotate', 'workerToken.revoke', 'user.setRole', 'job.cancel', 'job.retry']) expect(actions).toContain(a);
  // Newest first: the retry was the last thing done.
  expect(paged[0]).toMatchObject({ action: 'job.retry', actorName: 'admin', targetId: jobId, sourceAddress: ADMIN_ADDRESS });
  const rotate = paged.find((e) => e.action === 'workerToken.rotate');
  expect(rotate).toMatchObject({ actorName: 'admin', targetId: tokenId, sourceAddress: ADMIN_ADDRESS });
  expect(rotate?.details).toEqual(expect.arrayContaining([{ name: 'graceSeconds', value: '5' }]));
  const roles = paged.filter((e) => e.action === 'user.setRole' && e.targetId === pat.id).map((e) => Object.fromEntries(e.details.map((d) => [d.name, d.value])));
  expect(roles).toEqual([expect.objectContaining({ from: 'ADMIN', to: 'USER' }), expect.objectContaining({ from: 'USER', to: 'ADMIN' })]);
});

it('filters by action and by actor (username or id)', async () => {
  const failed = await all({ action: 'auth.signInFailed' }, 2);
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.every((e) => e.action === 'auth.signInFailed')).toBe(true);
  const pats = failed.find((e) => e.actorName === 'pat');
  // A failed sign-in proves nobody's identity: it names the username given, not an actor id.
  expect(pats).toMatchObject({ sourceAddress: '203.0.113.7', actorId: null });
  expect(JSON.stringify(failed)).not.toContain('not-pats-password');

  const byName = await all({ actor: 'pat' }, 2);
  expect(new Set(byName.map((e) => e.action))).toEqual(new Set(['auth.signIn', 'auth.signInFailed']));
  expect(byName.every((e) => e.actorName === 'pat')).toBe(true);
  const byId = await all({ actor: pat.id }, 50);
  expect(byId.map((e) => e.action)).toEqual(['auth.signIn']);
  expect(byId[0].actorId).toBe(pat.id);

  const adminRetries = await all({ actor: 'admin', action: 'job.retry' }, 5);
  expect(adminRetries.map((e) => e.targetId)).toEqual([jobId]);
  expect(await all({ actor: 'nobody-at-all' }, 5)).toEqual([]);
});

it('is for admins only, and says clearly what input is wrong', async () => {
  const asPat = await gql(t.url, AUDIT, {}, { token: pat.token });
  expect(errorCode(asPat)).toBe('FORBIDDEN');
  expect(asPat.data).toBeNull();
  expect(errorCode(await gql(t.url, AUDIT, {}))).toBe('UNAUTHENTICATED');
  for (const vars of [{ first: 0 }, { first: 201 }, { after: 'not-a-cursor' }, { after: Buffer.from('12:zz').toString('base64url') }]) {
    const r = await asAdmin(AUDIT, vars);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).not.toMatch(/\n\s+at /);
  }
});
