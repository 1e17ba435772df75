import { gql as request, ok } from '@cmd-executor/test-support/graphql-client';

/** GraphQL over HTTP against a UI's origin, for setup outside the browser: the data, or a throw on any error. */
export async function gql<T = Record<string, unknown>>(origin: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  return ok(await request<T>(`${origin}/graphql`, query, variables, { token }));
}
