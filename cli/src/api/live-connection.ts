import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError, LOGIN_HINT, TransientError } from '../errors';
import { graphqlWsUrl } from '../config/server-url';
import { fromGraphQLErrors, type GraphQLErrorLike } from './graphql-errors';

/** Close codes the API uses for a missing, expired or refused credential. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

export interface Subscriber<R> {
  next(data: R): void;
  /** a CliError (refused: do not retry) or a TransientError (reconnect and resume) */
  error(err: Error): void;
  complete(): void;
}

/**
 * One graphql-ws socket, not retried by graphql-ws itself: the follower reconnects and
 * subscribes again with the position it has reached, which a blind replay of the first
 * subscription (graphql-ws's own retry) would not do.
 */
export class LiveConnection {
  private readonly client: Client;
  private closed = false;

  constructor(server: string, token: string | undefined, on: { connected?: () => void } = {}) {
    this.client = createClient({
      url: graphqlWsUrl(server),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authToken: token } : {},
      lazy: true,
      retryAttempts: 0,
      keepAlive: 10_000,
      on: { connected: () => on.connected?.() },
    });
  }

  subscribe<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V, sink: Subscriber<R>): () => void {
    let done = false;
    const dispose = this.client.subscribe<R>(
      { query: print(document), variables },
      {
        next: (value) => {
          if (done || this.closed) return;
          if (value.errors?.length) {
            done = true;
            sink.error(fromGraphQLErrors(value.errors as GraphQLErrorLike[]));
          } else if (value.data) sink.next(value.data);
        },
        error: (err) => {
          if (done || this.closed) return;
          done = true;
          sink.error(classify(err));
        },
        complete: () => {
          if (done || this.closed) return;
          done = true;
          sink.complete();
        },
      },
    );
    return () => {
      done = true;
      dispose();
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.client.dispose();
  }
}

function classify(err: unknown): Error {
  if (Array.isArray(err)) return fromGraphQLErrors(err as GraphQLErrorLike[]);
  const close = err as { code?: unknown; reason?: unknown };
  if (typeof close?.code === 'number') {
    if (AUTH_CLOSE_CODES.has(close.code)) return new CliError(LOGIN_HINT, 'UNAUTHENTICATED');
    return new TransientError(`connection closed (${close.code}${close.reason ? `: ${String(close.reason)}` : ''})`);
  }
  if (err instanceof Error) return new TransientError(err.message, { cause: err });
  const message = (err as { message?: unknown })?.message;
  return new TransientError(typeof message === 'string' ? message : 'connection failed');
}
