import type { AppContainer } from '../../app-container';
import type { Role } from '../../domain/enums';
import type { RequestMeta } from './request-meta';

export type AnonymousPrincipal = {
  kind: 'anonymous';
  /** Why a presented credential was refused (expired, forged…); guards report it as UNAUTHENTICATED. */
  authError?: string;
};
export type UserPrincipal = {
  kind: 'user';
  userId: string;
  username: string;
  role: Role;
  /** When the JWT behind it expires (a WebSocket is closed then). */
  expiresAt?: Date;
};
export type WorkerPrincipal = {
  kind: 'worker';
  tokenId: string;
  workerName: string;
  labels: string[];
  /** Set once the worker registered (on the WebSocket connection it registered on). */
  workerId?: string;
};
export type Principal = AnonymousPrincipal | UserPrincipal | WorkerPrincipal;

/**
 * One graphql-ws connection. Lives as long as the socket; HTTP requests have none.
 * `state` is for services that keep per-connection facts (e.g. the registered worker id).
 */
export interface ConnectionContext {
  readonly id: string;
  readonly state: Record<string, unknown>;
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
  /** Present on WebSocket operations. */
  connection?: ConnectionContext;
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
