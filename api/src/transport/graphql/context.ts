import type { AppContainer } from '../../app-container';
import type { Principal } from '../../auth/principal';
import type { WorkerSession } from '../../services/worker-session';

/** What the per-request log line needs to know about the operation, filled in as it runs. */
export interface RequestMeta {
  operationName?: string;
  operationType?: string;
  errorCodes: string[];
}

/** One graphql-ws connection. Lives as long as the socket; HTTP requests have none. */
export interface ConnectionContext {
  readonly id: string;
  /** What the worker channel keeps for this socket (the worker registered on it). */
  readonly workerSession: WorkerSession;
  /** Runs when the socket closes (cleanup errors are logged, never thrown). */
  onClose(handler: () => void | Promise<void>): void;
  /** True once the socket has closed. */
  readonly closed: boolean;
}

export interface GraphQLContext {
  requestId: string;
  principal: Principal;
  app: AppContainer;
  transport: 'http' | 'ws';
  /** The peer's address (per-address budgets such as login attempts). */
  clientAddress?: string;
  /** Present on WebSocket operations. */
  connection?: ConnectionContext;
  /** HTTP only: where other hosts reach this API (PUBLIC_URL, else the request's host). */
  publicUrl?: string;
  /** Facts for the request's log line (see request-meta.ts). */
  meta?: RequestMeta;
  /** HTTP only: set/clear cookies (login/logout). */
  http?: { setCookie(name: string, value: string, options: CookieOptions): void; clearCookie(name: string, options: CookieOptions): void };
}

export interface CookieOptions {
  httpOnly: boolean;
  sameSite: 'lax' | 'strict' | 'none';
  secure: boolean;
  path: string;
  maxAge?: number;
}
