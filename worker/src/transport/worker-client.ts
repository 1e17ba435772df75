import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import type { Logger } from 'pino';
import { TextAsBytesWebSocket } from './text-as-bytes-socket';
import { WorkerError } from '../errors';
import type { TypedDocumentString } from '../gql/graphql';
import { backoffDelay, sleep, type BackoffOptions } from '../util/backoff';

export interface WorkerClientOptions {
  /** ws(s)://…/graphql */
  url: string;
  token: string;
  logger: Logger;
  reconnect: BackoffOptions;
  /** a request without an answer after this is failed (and retried by its caller) */
  requestTimeoutMs: number;
  /** ping interval; the connection is dropped when a pong takes longer than this too */
  keepAliveMs: number;
}

/** Close codes the server uses for a bad or revoked token: retrying cannot help. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

interface CloseLike {
  code: number;
  reason: string;
}

function isCloseLike(v: unknown): v is CloseLike {
  return typeof v === 'object' && v !== null && 'code' in v && 'reason' in v;
}

interface InFlight {
  fail(err: WorkerError): void;
}

/**
 * The worker's single graphql-ws connection. It reconnects by itself (jittered exponential
 * backoff) except when the server refuses the token (4401/4403), which is fatal. Requests
 * are one-shot: one that is in flight when the socket drops fails with DISCONNECTED
 * instead of being silently replayed by graphql-ws on the next socket, so the agent decides
 * what to resend, and in which order (registerWorker first).
 */
export class WorkerClient {
  private client!: Client;
  private readonly inFlight = new Set<InFlight>();
  private readonly stopRetrying = new AbortController();
  private pongTimer: NodeJS.Timeout | undefined;
  private connected = false;
  private closing = false;
  private fatalError: WorkerError | undefined;
  private readonly connectedListeners: (() => void)[] = [];
  private readonly disconnectedListeners: (() => void)[] = [];
  private readonly fatalListeners: ((err: WorkerError) => void)[] = [];

  constructor(private readonly options: WorkerClientOptions) {}

  /** Opens the connection (and keeps it open, reconnecting) until close(). */
  connect(): void {
    if (this.client) return;
    const options = this.options;
    const log = options.logger;
    this.client = createClient({
      url: options.url,
      webSocketImpl: TextAsBytesWebSocket,
      connectionParams: { workerToken: options.token },
      lazy: false,
      retryAttempts: Number.POSITIVE_INFINITY,
      keepAlive: options.keepAliveMs,
      shouldRetry: (errOrClose) => !(isCloseLike(errOrClose) && AUTH_CLOSE_CODES.has(errOrClose.code)) && !this.closing,
      retryWait: async (retries) => {
        const delay = backoffDelay(retries, options.reconnect);
        log.info({ retryInMs: delay, attempt: retries + 1 }, 'reconnecting to the server');
        await sleep(delay, this.stopRetrying.signal);
      },
      onNonLazyError: (err) => this.onConnectionGaveUp(err),
      on: {
        connected: () => {
          this.connected = true;
          log.info({ url: options.url }, 'connected');
          for (const l of this.connectedListeners) l();
        },
        closed: (event) => this.onClosed(event),
        error: (err) => log.debug({ err: describe(err) }, 'connection error'),
        ping: (received) => {
          if (received) return;
          clearTimeout(this.pongTimer);
          this.pongTimer = setTimeout(() => {
            log.warn('no pong from the server; dropping the connection');
            this.client.terminate();
          }, options.keepAliveMs);
        },
        pong: (received) => {
          if (received) clearTimeout(this.pongTimer);
        },
      },
    });
  }

  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  onDisconnected(listener: () => void): void {
    this.disconnectedListeners.push(listener);
  }

  /** The server refused the token (or the client gave up): the agent must exit. */
  onFatal(listener: (err: WorkerError) => void): void {
    this.fatalListeners.push(listener);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** One query or mutation; rejects with a WorkerError (transient ones are worth retrying). */
  request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<TResult> {
    const query = document.toString();
    if (this.fatalError) return Promise.reject(this.fatalError);
    if (!this.connected || this.closing || !this.client) return Promise.reject(new WorkerError('NOT_CONNECTED', 'not connected to the server'));
    return new Promise<TResult>((resolve, reject) => {
      let result: FormattedExecutionResult<Record<string, unknown>, unknown> | undefined;
      let settled = false;
      const entry: InFlight = {
        fail: (err) => {
          dispose();
          settle(() => reject(err));
        },
      };
      const timer = setTimeout(() => entry.fail(new WorkerError('TIMEOUT', `no answer within ${timeoutMs} ms`)), timeoutMs);
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(entry);
        fn();
      };
      this.inFlight.add(entry);
      const dispose = this.client.subscribe<Record<string, unknown>>(
        { query, variables: variables as Record<string, unknown> },
        {
          next: (value) => {
            result = value;
          },
          error: (err) => settle(() => reject(toWorkerError(err))),
          complete: () =>
            settle(() => {
              if (result?.errors?.length) reject(fromGraphQLErrors(result.errors));
              else if (result?.data) resolve(result.data as TResult);
              else reject(new WorkerError('DISCONNECTED', 'the request ended without a result'));
            }),
        },
      );
    });
  }

  /**
   * A subscription on the current connection. It ends (without re-subscribing) when the
   * socket closes; the caller subscribes again after it re-registered.
   */
  subscribe<TResult>(
    document: TypedDocumentString<TResult, Record<string, never>>,
    sink: { next(data: TResult): void; error(err: WorkerError): void; complete(): void },
  ): () => void {
    return this.client.subscribe<Record<string, unknown>>(
      { query: document.toString() },
      {
        next: (value) => {
          if (value.errors?.length) sink.error(fromGraphQLErrors(value.errors));
          else if (value.data) sink.next(value.data as TResult);
        },
        error: (err) => sink.error(toWorkerError(err)),
        complete: () => sink.complete(),
      },
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopRetrying.abort();
    clearTimeout(this.pongTimer);
    for (const f of [...this.inFlight]) f.fail(new WorkerError('DISCONNECTED', 'client closed'));
    await this.client?.dispose();
    this.connected = false;
  }

  private onClosed(event: unknown): void {
    const wasConnected = this.connected;
    this.connected = false;
    clearTimeout(this.pongTimer);
    for (const f of [...this.inFlight]) f.fail(new WorkerError('DISCONNECTED', 'connection closed'));
    if (isCloseLike(event) && AUTH_CLOSE_CODES.has(event.code)) {
      this.fail(
        new WorkerError(
          'AUTH',
          `the server refused the worker token (${event.code}${event.reason ? `: ${event.reason}` : ''}); ` +
            'check --token / CMD_EXECUTOR_WORKER_TOKEN (it may have been revoked or expired)',
        ),
      );
      return;
    }
    if (wasConnected && !this.closing) {
      this.options.logger.warn({ code: isCloseLike(event) ? event.code : undefined }, 'connection lost');
      for (const l of this.disconnectedListeners) l();
    }
  }

  private onConnectionGaveUp(err: unknown): void {
    if (this.closing) return;
    if (isCloseLike(err) && AUTH_CLOSE_CODES.has(err.code)) return; // reported by onClosed
    this.fail(new WorkerError('AUTH', `the server closed the connection for good: ${describe(err)}`));
  }

  private fail(err: WorkerError): void {
    if (this.fatalError) return;
    this.fatalError = err;
    for (const l of this.fatalListeners) l(err);
  }
}

function describe(err: unknown): string {
  if (isCloseLike(err)) return `close ${err.code}${err.reason ? ` ${err.reason}` : ''}`;
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

function fromGraphQLErrors(errors: readonly GraphQLErrorLike[]): WorkerError {
  const first = errors[0]!;
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : undefined;
  if (code === 'CONFLICT') return new WorkerError('CONFLICT', first.message, { serverCode: code });
  return new WorkerError('SERVER', first.message, { serverCode: code });
}

function toWorkerError(err: unknown): WorkerError {
  if (err instanceof WorkerError) return err;
  if (Array.isArray(err)) return fromGraphQLErrors(err as GraphQLErrorLike[]);
  if (isCloseLike(err)) return new WorkerError('DISCONNECTED', `connection closed (${err.code})`);
  return new WorkerError('DISCONNECTED', describe(err), { cause: err });
}
