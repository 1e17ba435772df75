/** GraphQL over real HTTP and graphql-ws sockets, as a client of the API would speak it. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: Array<{ message: string; path?: unknown; extensions?: Record<string, unknown> }>;
}

/** One GraphQL request over real HTTP. `token` goes in Authorization: Bearer unless `headers` say otherwise. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  opts: { token?: string; headers?: Record<string, string> } = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GqlResponse['errors'] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: res.status, headers: res.headers, data: body.data, errors: body.errors };
}

export function errorCode(r: { errors?: GqlResponse['errors'] }): unknown {
  return r.errors?.[0]?.extensions?.code;
}

/** The data, or a thrown error naming the GraphQL errors (for setup steps that must succeed). */
export function ok<T>(r: { data?: T | null; errors?: unknown }): T {
  if (r.errors || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}

/** Logs in over HTTP; resolves with the session JWT. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const r = await gql<{ login: { token: string } }>(
    url,
    'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
    { u: username, p: password },
  );
  if (!r.data) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
  return r.data.login.token;
}

/** A graphql-ws client on the real socket; close it in afterAll. */
export function wsClient(
  wsUrl: string,
  connectionParams: Record<string, unknown> = {},
  opts: { headers?: Record<string, string>; retryAttempts?: number; lazy?: boolean; onClosed?: (code: number, reason: string) => void } = {},
): Client {
  class HeaderedWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers: opts.headers });
    }
  }
  return createClient({
    url: wsUrl,
    webSocketImpl: HeaderedWebSocket,
    connectionParams,
    retryAttempts: opts.retryAttempts ?? 0,
    lazy: opts.lazy ?? true,
    // Tests assert close codes themselves (onClosed); the default would print them as errors.
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        const e = event as { code?: number; reason?: string };
        opts.onClosed?.(e.code ?? 0, String(e.reason ?? ''));
      },
    },
  });
}

/** Subscribes and collects events; `next(n)` waits (bounded) for the n-th. */
export function collect<T>(client: Client, query: string, variables?: Record<string, unknown>) {
  const events: T[] = [];
  const errors: unknown[] = [];
  let done = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) errors.push(...v.errors);
        if (v.data) events.push(v.data as T);
        wake();
      },
      error: (e) => {
        errors.push(e);
        done = true;
        wake();
      },
      complete: () => {
        done = true;
        wake();
      },
    },
  );
  return {
    events,
    errors,
    get done() {
      return done;
    },
    unsubscribe,
    /** Resolves when `predicate` holds, or rejects after `timeoutMs`. */
    async until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out; events=${JSON.stringify(events)} errors=${JSON.stringify(errors)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 100));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}

/** A query or mutation over the socket: resolves with the result, or rejects with the `error` message's errors. */
export function wsRequest<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data?: T | null; errors?: GqlResponse['errors'] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T | null; errors?: GqlResponse['errors'] } | undefined;
    client.subscribe<T>(
      { query, variables },
      {
        next: (v) => {
          result = v as typeof result;
        },
        error: (e) => reject(e),
        complete: () => resolve(result ?? {}),
      },
    );
  });
}
