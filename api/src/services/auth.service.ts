import { signUserToken, TokenError, verifyUserToken, type JwtSecrets } from '../auth/jwt';
import type { Credential } from '../auth/credentials';
import { UnauthenticatedError } from '../errors';
import type { Principal } from '../auth/principal';
import type { UserDoc } from '../storage/repositories/documents';
import type { UserService } from './user.service';
import type { WorkerTokenService } from './worker-token.service';

export class AuthService {
  constructor(
    private readonly users: UserService,
    private readonly workerTokens: WorkerTokenService,
    private readonly jwtSecret: JwtSecrets,
    readonly jwtTtlSeconds: number,
  ) {}

  async login(username: string, password: string): Promise<{ token: string; user: UserDoc }> {
    const user = await this.users.checkPassword(username, password);
    if (!user) throw new UnauthenticatedError('invalid username or password');
    const token = signUserToken({ userId: user.id, username: user.username, role: user.role }, this.jwtSecret, this.jwtTtlSeconds);
    return { token, user };
  }

  /** A session token for a user signed in some other way than a password (OIDC). */
  issueSession(user: UserDoc): string {
    return signUserToken({ userId: user.id, username: user.username, role: user.role }, this.jwtSecret, this.jwtTtlSeconds);
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
          return { kind: 'user', userId: claims.userId, username: claims.username, role: claims.role, expiresAt: claims.expiresAt };
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
