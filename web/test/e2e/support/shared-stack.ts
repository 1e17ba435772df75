/**
 * The API stack the e2e project's global setup starts once (support/global-setup.ts) for the
 * browser tests that need no API configuration of their own, as a test file sees it: an origin,
 * tokens and passwords, reached over HTTP only. Files that share it create their own jobs, tokens
 * and (where they assert on who did what) their own users, so no file depends on another's.
 */
export interface SharedStack {
  /** http://127.0.0.1:<port>: the API, which also serves the built UI */
  origin: string;
  /** the GraphQL endpoint, `${origin}/graphql` */
  url: string;
  admin: { username: string; password: string };
  adminToken: string;
  users: Record<'alice' | 'bob', { username: string; password: string; token: string }>;
}

/** process.env is how jest's global setup hands values to the test files (a JSON SharedStack). */
export const SHARED_STACK_ENV = 'E2E_SHARED_STACK';

export function sharedStack(): SharedStack {
  const json = process.env[SHARED_STACK_ENV];
  if (!json) throw new Error(`${SHARED_STACK_ENV} is not set: run the file in the e2e jest project (--selectProjects e2e), whose global setup starts the shared stack`);
  return JSON.parse(json) as SharedStack;
}
