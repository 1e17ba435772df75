import { randomBytes } from 'node:crypto';
import { isValidObjectId } from 'mongoose';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/password';
import { Role } from '../domain/enums';
import { validatePassword, validateUsername } from '../domain/user.rules';
import { ConflictError } from '../errors';
import type { Logger } from '../logger';
import type { UserDoc } from '../storage/repositories/documents';
import { isDuplicateKey } from '../storage/repositories/duplicate-key';
import { anyUserWithRole, findUserById, findUserByUsername, findUsersByIds, insertUser, listUsers, setUserPasswordHash } from '../storage/repositories/user.repository';
import type { AuditService } from './audit.service';

function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

export class UserService {
  constructor(
    private readonly audit: AuditService,
    private readonly logger: Logger,
  ) {}

  async findById(id: string): Promise<UserDoc | null> {
    return isValidObjectId(id) ? findUserById(id) : null;
  }

  async findByIds(ids: readonly string[]): Promise<UserDoc[]> {
    return findUsersByIds(ids.filter((id) => isValidObjectId(id)));
  }

  async list(): Promise<UserDoc[]> {
    return listUsers();
  }

  /** The user when the password matches; null otherwise (same timing whether or not the user exists). */
  async checkPassword(username: string, password: string): Promise<UserDoc | null> {
    const user = typeof username === 'string' && username.length <= 64 ? await findUserByUsername(username.trim()) : null;
    const ok = await verifyPassword(password.slice(0, 1024), user?.passwordHash ?? (await dummyPasswordHash()));
    return user && ok ? user : null;
  }

  async create(actorId: string, input: { username: string; password: string; role?: Role }): Promise<UserDoc> {
    const username = validateUsername(input.username);
    validatePassword(input.password);
    const user = await this.insert(username, input.password, input.role ?? Role.USER);
    await this.audit.record(actorId, 'user.create', user.id, { username, role: user.role });
    return user;
  }

  /**
   * First start: make sure an admin exists. Without ADMIN_PASSWORD a random one is generated and
   * returned, for the caller to show once in the terminal banner (never in the structured log,
   * which is shipped elsewhere).
   */
  async ensureAdmin(username: string, password: string | undefined): Promise<{ username: string; generatedPassword?: string } | undefined> {
    if (await anyUserWithRole(Role.ADMIN)) return undefined;
    const pw = password ?? generatePassword();
    let user: UserDoc;
    try {
      user = await this.insert(validateUsername(username, 'ADMIN_USERNAME'), pw, Role.ADMIN);
    } catch (err) {
      // Another replica created it first.
      if (err instanceof ConflictError) return undefined;
      throw err;
    }
    this.logger.info({ username }, 'created the first admin user');
    await this.audit.record(user.id as string, 'user.create', user.id as string, { username, role: Role.ADMIN, firstAdmin: true });
    return { username, generatedPassword: password === undefined ? pw : undefined };
  }

  /** `npm start -- --reset-admin-password`: a new random password for `username`, returned to print once. */
  async resetPassword(username: string): Promise<string> {
    const pw = generatePassword();
    const user = await setUserPasswordHash(username, await hashPassword(pw));
    if (!user) throw new ConflictError(`no user "${username}" to reset (check ADMIN_USERNAME)`);
    await this.audit.record(user.id as string, 'user.resetPassword', user.id as string, { username, via: 'command line' });
    this.logger.info({ username }, 'reset the password from the command line');
    return pw;
  }

  private async insert(username: string, password: string, role: Role): Promise<UserDoc> {
    const passwordHash = await hashPassword(password);
    try {
      return await insertUser({ username, passwordHash, role });
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError(`username "${username}" is taken`);
      throw err;
    }
  }
}
