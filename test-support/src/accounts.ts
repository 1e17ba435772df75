import { errorCode, gql, login } from './graphql-client';

/** Where and as whom: the API's GraphQL URL and an admin's token (a `TestApi` is one). */
export interface AdminSession {
  url: string;
  adminToken: string;
}

/** Creates a user (through the admin's createUser) and logs it in; the password is `<username>-password` unless given. */
export async function createUser(
  t: AdminSession,
  username: string,
  role: 'USER' | 'ADMIN' = 'USER',
  password = `${username}-password`,
): Promise<{ id: string; token: string; password: string }> {
  const r = await gql<{ createUser: { id: string } }>(
    t.url,
    'mutation($u: String!, $p: String!, $r: Role) { createUser(username: $u, password: $p, role: $r) { id } }',
    { u: username, p: password, r: role },
    { token: t.adminToken },
  );
  if (!r.data) throw new Error(`createUser failed: ${String(errorCode(r))} ${JSON.stringify(r.errors)}`);
  return { id: r.data.createUser.id, token: await login(t.url, username, password), password };
}

/** Mints a worker token through the admin's createWorkerToken. */
export async function createWorkerToken(t: AdminSession, name: string, labels: string[] = []): Promise<{ id: string; token: string }> {
  const r = await gql<{ createWorkerToken: { id: string; token: string } }>(
    t.url,
    'mutation($n: String!, $l: [String!]) { createWorkerToken(name: $n, labels: $l) { id token } }',
    { n: name, l: labels },
    { token: t.adminToken },
  );
  if (!r.data) throw new Error(`createWorkerToken failed: ${JSON.stringify(r.errors)}`);
  return r.data.createWorkerToken;
}
