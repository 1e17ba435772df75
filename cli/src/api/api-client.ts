import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { CliError, TransientError } from '../errors';
import { graphqlHttpUrl } from '../config/server-url';
import type { RetryBudget } from '../util/retry-budget';
import { fromGraphQLErrors, retryAfterMs, type GraphQLErrorLike } from './graphql-errors';

export interface ApiClientOptions {
  server: string;
  token?: string;
  budget: RetryBudget;
  /** one request without an answer after this counts as a failure (and is retried) */
  requestTimeoutMs?: number;
}

const TRANSIENT_HTTP = new Set([502, 503, 504]);

/**
 * Queries and mutations over HTTP. Unreachable servers, gateway errors and rate limits are
 * retried within the shared budget; a refusal is a CliError at once. Mutations are safe to
 * retry: createJob carries an idempotency key, cancel is idempotent, and a repeated retryJob
 * is refused (CONFLICT) rather than run twice.
 */
export class ApiClient {
  private readonly printed = new WeakMap<object, string>();

  constructor(readonly options: ApiClientOptions) {}

  get server(): string {
    return this.options.server;
  }

  get token(): string | undefined {
    return this.options.token;
  }

  async request<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    for (;;) {
      try {
        const result = await this.once(document, variables);
        this.options.budget.succeeded();
        return result;
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        await this.options.budget.failed(`cannot reach ${this.options.server}`, err, (err as { waitMs?: number }).waitMs ?? 0);
      }
    }
  }

  private async once<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    let query = this.printed.get(document);
    if (query === undefined) {
      query = print(document);
      this.printed.set(document, query);
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(graphqlHttpUrl(this.options.server), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      const detail = cause instanceof Error && cause.message ? cause.message : (err as Error).message;
      throw new TransientError(detail, { cause: cause ?? err });
    }
    if (TRANSIENT_HTTP.has(res.status)) throw new TransientError(`HTTP ${res.status}`);
    let body: { data?: R | null; errors?: GraphQLErrorLike[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new CliError(`unexpected answer from ${this.options.server} (HTTP ${res.status}): is it a cmd-executor API?`);
    }
    const wait = retryAfterMs(body.errors);
    if (wait !== undefined || res.status === 429) {
      const e = new TransientError('rate limited') as TransientError & { waitMs?: number };
      e.waitMs = wait ?? 1000;
      throw e;
    }
    if (body.errors?.length) throw fromGraphQLErrors(body.errors);
    if (!body.data) throw new CliError(`unexpected answer from ${this.options.server} (HTTP ${res.status})`);
    return body.data;
  }
}
