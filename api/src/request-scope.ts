import { AsyncLocalStorage } from 'node:async_hooks';

/** Facts about the request being served that services record but do not decide on. */
export interface RequestScope {
  /** The caller's address as TRUST_PROXY resolves it (see transport/http/client-address.ts). */
  clientAddress?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * Runs `fn` (and everything it starts) inside `scope`. Set by the transports around GraphQL
 * execution and the OIDC routes, so the audit trail knows where a request came from without
 * every service signature carrying the address (the caller identity stays explicit).
 */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The address of the request being served; undefined outside one (start-up, the sweeper). */
export function currentClientAddress(): string | undefined {
  return storage.getStore()?.clientAddress;
}
