import { Role } from '../domain/enums';
import type { UserDoc } from '../storage/repositories/documents';
import { isDuplicateKey } from '../storage/repositories/duplicate-key';
import { findUserByOidcSubject, insertOidcUser, touchLastLogin } from '../storage/repositories/user.repository';
import type { AuditService } from './audit.service';
import { OidcSignInError } from './oidc-sign-in.error';

export interface OidcIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

export interface OidcRoleRule {
  /** the ID token claim to look at, e.g. `groups` */
  claim: string;
  /** any of these among the claim's values makes a first-time user an ADMIN */
  adminValues: readonly string[];
}

/**
 * The local user behind an issuer + subject: found, or created on the first sign-in (audited).
 * Later sign-ins change nothing but the last-login time: a role or name given here is the
 * administrators' to change, not the issuer's.
 */
export class OidcAccounts {
  constructor(
    private readonly audit: AuditService,
    private readonly roleRule: OidcRoleRule,
  ) {}

  /** `from`: the address of the callback request (audited). */
  async signIn(identity: OidcIdentity, from?: string): Promise<{ user: UserDoc; created: boolean }> {
    let user = await findUserByOidcSubject(identity.issuer, identity.subject);
    let created = false;
    if (!user) {
      user = await this.create(identity);
      created = user !== null;
      // Lost a race with a parallel first sign-in of the same person: theirs is the account.
      user ??= await findUserByOidcSubject(identity.issuer, identity.subject);
      if (!user) throw new OidcSignInError('token_rejected', 'user vanished after a duplicate-key race');
    }
    // `disabled` is read by name: the flag is the user model's, set by the admin operations.
    if (user.get('disabled') === true) {
      await this.audit.record({ id: user.id, name: user.username, address: from }, 'auth.signInFailed', user.id, { method: 'oidc', reason: 'user disabled', issuer: identity.issuer });
      throw new OidcSignInError('disabled');
    }
    if (created) {
      await this.audit.record({ id: user.id, name: user.username, address: from }, 'user.oidcFirstSignIn', user.id, { username: user.username, role: user.role, issuer: identity.issuer });
    } else {
      await touchLastLogin(user.id);
    }
    await this.audit.record({ id: user.id, name: user.username, address: from }, 'auth.signIn', user.id, { method: 'oidc', issuer: identity.issuer });
    return { user, created };
  }

  /** null when the issuer + subject was inserted meanwhile by someone else. */
  private async create(identity: OidcIdentity): Promise<UserDoc | null> {
    const base = usernameBase(identity);
    const role = this.isAdmin(identity.claims) ? Role.ADMIN : Role.USER;
    for (let n = 1; n <= 50; n++) {
      const username = n === 1 ? base : `${base.slice(0, 60)}-${n}`;
      try {
        return await insertOidcUser({ username, role, oidcIssuer: identity.issuer, oidcSubject: identity.subject });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (await findUserByOidcSubject(identity.issuer, identity.subject)) return null;
      }
    }
    throw new OidcSignInError('token_rejected', `no free username near "${base}"`);
  }

  private isAdmin(claims: Record<string, unknown>): boolean {
    const value = claims[this.roleRule.claim];
    const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
    return values.some((v) => typeof v === 'string' && this.roleRule.adminValues.includes(v));
  }
}

/** A valid local username from `preferred_username`, else `email`, else the subject. */
export function usernameBase(identity: OidcIdentity): string {
  const { preferred_username: preferred, email } = identity.claims;
  const raw = [preferred, email, `oidc-${identity.subject}`].find((v): v is string => typeof v === 'string' && v.trim() !== '')!;
  const cleaned = raw
    .trim()
    .replace(/[^A-Za-z0-9_.@-]/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned === '' ? 'oidc-user' : cleaned;
}
