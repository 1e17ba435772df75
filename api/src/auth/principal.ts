import { Role } from '../domain/enums';

/**
 * Who is calling, as every layer sees it: resolvers get it from the request, services decide
 * access with it. Kept apart from the transport so services need nothing of GraphQL or HTTP.
 */
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
  /** When this credential stops working (expiry, or the end of a rotation's grace period). */
  expiresAt?: Date;
  /** SHA-256 of the presented token: tells a rotated-out token's sockets from the new one's. */
  tokenHash?: string;
  /** Set once the worker registered (on the WebSocket connection it registered on). */
  workerId?: string;
};
export type Principal = AnonymousPrincipal | UserPrincipal | WorkerPrincipal;

export function isAdmin(p: Principal): boolean {
  return p.kind === 'user' && p.role === Role.ADMIN;
}
