import { signUserToken, TokenError, verifyUserToken, type JwtSecrets } from '../auth/jwt';
import type { Credential } from '../auth/credentials';
import { UnauthenticatedError } from '../errors';
import type { Principal } from '../auth/principal';
import type { UserDoc } from '../storage/repositories/documents';
import type { AuditService } from './audit.service';
import type { LoginThrottle } from './login-throttle';
import type { UserService } from './user.service';
import type { WorkerTokenService } from './worker-token.service';

export class AuthService {
  constructor(
    private readonly users: UserService,
    private readonly workerTokens: WorkerTokenService,
    private readonly jwtSecret: JwtSecrets,
    readonly jwtTtlSeconds: number,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
  ) {}

  /**
   * A password sign-in: both throttles first (per address, per username), then the password.
   * Every outcome is audited under the username given (never the password); a lockout once,
   * when it starts, not for each refused attempt.
   */
  async login(username: string, password: string, clientAddress: string | undefined): Promise<{ token: string; user: UserDoc }> {
    const claimed = String(username).trim().slice(0, 64);
    const admission = await this.throttle.admit(username, clientAddress, (retryAfterSeconds) =>
      this.audit.record({ id: null, name: claimed, address: clientAddress }, 'auth.lockout', undefined, { username: claimed, retryAfterSeconds }),
    );
    const user = await this.users.checkPassword(username, password);
    if (!user || user.disabled) {
      await this.audit.record({ id: user ? String(user.id) : null, name: user?.username ?? claimed, address: clientAddress }, 'auth.signInFailed', user ? String(user.id) : undefined, { method: 'password', reason: user ? 'user disabled' : 'wrong username or password' });
      throw new UnauthenticatedError('invalid username or password');
    }
    await this.throttle.succeeded(admission);
    await this.audit.record({ id: String(user.id), name: user.username, address: clientAddress }, 'auth.signIn', String(user.id), { method: 'password' });
    return { token: this.issueSession(user), user };
  }

  /** A session token for a signed-in user (password or OIDC): it carries the user's current token version. */
  issueSession(user: UserDoc): string {
    return signUserToken({ userId: user.id, username: user.username, role: user.role, tokenVersion: user.tokenVersion ?? 0 }, this.jwtSecret, this.jwtTtlSeconds);
  }

  /**
   * Who is calling. A refused credential does not throw here (login must still work with a
   * stale cookie); it yields an anonymous principal carrying the reason, which guards report.
   */
  async principalFor(credential: Credential): Promise<Principal> {
    switch (credential.kind) {
      case 'none':
        return { kind: 'anonymous' };
      case 'user':
        try {
          const claims = verifyUserToken(credential.token, this.jwtSecret);
          // The session follows its user: gone, disabled or signed out everywhere ends it, and
          // the role is the store's, not the one written in the token.
          const user = await this.users.status(claims.userId);
          if (!user) return { kind: 'anonymous', authError: 'this user no longer exists' };
          if (user.disabled) return { kind: 'anonymous', authError: 'this user is disabled' };
          if ((claims.tokenVersion ?? 0) !== user.tokenVersion) return { kind: 'anonymous', authError: 'session revoked; sign in again' };
          return { kind: 'user', userId: claims.userId, username: user.username, role: user.role, expiresAt: claims.expiresAt };
        } catch (err) {
          if (err instanceof TokenError) return { kind: 'anonymous', authError: err.message };
          throw err;
        }
      case 'worker': {
        const worker = await this.workerTokens.verify(credential.token);
        return worker ?? { kind: 'anonymous', authError: 'invalid, expired or revoked worker token' };
      }
      default: {
        const never: never = credential;
        return never;
      }
    }
  }
}
