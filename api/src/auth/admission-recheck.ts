import type { Principal } from './principal';

/** What becomes of a socket whose credential was checked again. */
export type Readmission = { keep: false } | { keep: true; until?: Date };

/**
 * A socket was admitted as `admitted`; its credential, checked again now, reads as `now`. It
 * stays when it would be admitted now as the same caller with the same rights, until the new
 * expiry when that came earlier (a rotated-out token's grace period). Otherwise it closes, as the
 * live revocation, disable or role change would have closed it. Anonymous sockets had nothing
 * to lose.
 */
export function readmit(admitted: Principal, now: Principal): Readmission {
  switch (admitted.kind) {
    case 'anonymous':
      return { keep: true };
    case 'user':
      if (now.kind !== 'user' || now.userId !== admitted.userId || now.role !== admitted.role) return { keep: false };
      return { keep: true };
    case 'worker': {
      if (now.kind !== 'worker' || now.tokenId !== admitted.tokenId) return { keep: false };
      const earlier = now.expiresAt && (!admitted.expiresAt || now.expiresAt < admitted.expiresAt);
      return earlier ? { keep: true, until: now.expiresAt } : { keep: true };
    }
    default: {
      const never: never = admitted;
      return never;
    }
  }
}
