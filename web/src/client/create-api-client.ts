import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { API } from './api-endpoint';
import { isUnauthenticated } from './api-errors';
import { sessionToken } from './session-token';

/** idle: no live query open; reconnecting: the socket dropped while live queries were open */
export type LiveState = 'idle' | 'connected' | 'reconnecting';

export interface ApiClient {
  readonly client: Client;
  readonly live: {
    get(): LiveState;
    subscribe(listener: () => void): () => void;
  };
  /** closes the WebSocket; the next client opens a new one (with the new cookie) */
  dispose(): void;
}

export interface ApiClientOptions {
  /** an operation was refused because the session is missing or expired */
  onUnauthenticated(): void;
  /** operation names whose UNAUTHENTICATED error is an answer, not an expired session */
  ignoreUnauthenticatedFor?: readonly string[];
}

/**
 * One urql client per session: the auth cookie is read by the API when the WebSocket is
 * opened, so logging in or out replaces the client (and its socket).
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const ignore = new Set(options.ignoreUnauthenticatedFor ?? []);

  const ws: WsClient = createWsClient({
    url: API.wsUrl,
    lazy: true,
    // An API on another origin may not get the cookie on the upgrade: the token goes here.
    connectionParams: () => {
      const authToken = sessionToken.get();
      return authToken ? { authToken } : {};
    },
    keepAlive: 10_000,
    // a UI left open should come back by itself after an API restart or network blip
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => !isAuthClose(event),
    retryWait: async (retries) => {
      const ms = Math.min(10_000, 500 * 2 ** Math.min(retries, 5)) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });

  let liveState: LiveState = 'idle';
  const listeners = new Set<() => void>();
  const setLive = (next: LiveState) => {
    if (next === liveState) return;
    liveState = next;
    for (const l of listeners) l();
  };
  ws.on('connected', () => setLive('connected'));
  // 1000: the lazy client closed an unused socket; anything else is a drop it will retry
  ws.on('closed', (event) => setLive((event as { code?: number } | undefined)?.code === 1000 ? 'idle' : 'reconnecting'));

  const client = new Client({
    url: API.httpUrl,
    // Apollo's CSRF prevention refuses GET queries without a preflight header
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const token = sessionToken.get();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return { credentials: 'include', headers };
    },
    requestPolicy: 'cache-and-network',
    exchanges: [
      mapExchange({
        onError(error, operation) {
          const name = operationName(operation.query);
          if (isUnauthenticated(error) && !(name && ignore.has(name))) options.onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, {
                next: (value) => sink.next(value as Parameters<typeof sink.next>[0]),
                complete: () => sink.complete(),
                error: (error) => {
                  // the socket was refused for its credentials: the session is gone
                  if (isAuthClose(error)) options.onUnauthenticated();
                  sink.error(error);
                },
              });
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    live: {
      get: () => liveState,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    dispose: () => void ws.dispose(),
  };
}

/** graphql-ws close codes 4401 Unauthorized / 4403 Forbidden: retrying cannot help */
function isAuthClose(event: unknown): boolean {
  const code = (event as { code?: unknown } | null)?.code;
  return code === 4401 || code === 4403;
}

function operationName(query: { definitions: readonly { kind: string; name?: { value: string } }[] }): string | undefined {
  for (const d of query.definitions) if (d.kind === 'OperationDefinition') return d.name?.value;
  return undefined;
}
