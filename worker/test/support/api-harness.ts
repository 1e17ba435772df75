import path from 'node:path';

/**
 * The API's own test harness (api/test/support), loaded at run time: the worker's
 * typecheck must not pull the API's sources into its program (they live outside the
 * worker's rootDir), so the few functions used here are typed locally.
 */
export interface TestApi {
  /** http://host:port/graphql */
  url: string;
  wsUrl: string;
  adminToken: string;
  close(): Promise<void>;
}

export type Gql = <T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  opts?: { token?: string },
) => Promise<{ status: number; data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;

export function loadApiHarness(): { startTestApi: (opts?: Record<string, unknown>) => Promise<TestApi>; gql: Gql } {
  const support = path.join(__dirname, '../../../api/test/support');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTestApi } = require(path.join(support, 'start-test-api')) as { startTestApi: (opts?: Record<string, unknown>) => Promise<TestApi> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { gql } = require(path.join(support, 'graphql-client')) as { gql: Gql };
  return { startTestApi, gql };
}
