import { randomBytes } from 'node:crypto';
import { isValidObjectId } from 'mongoose';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/password';
import { Role } from '../domain/enums';
import { validatePassword, validateUsername } from '../domain/user.rules';
import { BadUserInputError, ConflictError, NotFoundError } from '../errors';
import type { PubSubPort } from '../storage/pubsub';
import { Topics } from '../storage/pubsub/topics';
import type { Logger } from '../logger';
import type { UserDoc } from '../storage/repositories/documents';
import { isDuplicateKey } from '../storage/repositories/duplicate-key';
import { anyUserWithRole, findUserById, findUserByUsername, findUsersByIds, insertUser, listUsers, setUserPasswordHash, updateUserAccess, countEnabledAdmins } from '../storage/repositories/user.repository';
import type { Actor, AuditAction, AuditService } from './audit.service';

function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

/** What a session needs of its user on every request. */
export interface UserStatus {
  username: string;
  role: Role;
  disabled: boolean;
  tokenVersion: number;
}

/** Other replicas learn of a change through pub/sub; this bounds how long a missed message could matter. */
const STATUS_TTL_MS = 2_000;

export class UserService {
  private readonly statusCache = new Map<string, { status: UserStatus | null; at: number }>();

  constructor(
    private readonly audit: AuditService,
    private readonly logger: Logger,
    private readonly pubsub?: PubSubPort,
  ) {}

  /** The user's current role and state (null: no such user), cached for at most STATUS_TTL_MS. */
  async status(id: string): Promise<UserStatus | null> {
    const hit = this.statusCache.get(id);
    if (hit && Date.now() - hit.at < STATUS_TTL_MS) return hit.status;
    const user = await this.findById(id);
    const status = user ? { username: user.username, role: user.role, disabled: user.disabled === true, tokenVersion: user.tokenVersion ?? 0 } : null;
    if (this.statusCache.size > 10_000) this.statusCache.clear();
    this.statusCache.set(id, { status, at: Date.now() });
    return status;
  }

  /** Drops a cached status (a change here or, through pub/sub, on another replica). */
  forget(id: string): void {
    this.statusCache.delete(id);
  }

  /** Drops every cached status: the messages that would have dropped some may have been lost. */
  forgetAll(): void {
    this.statusCache.clear();
  }

  async setRole(actor: Actor, id: string, role: Role): Promise<UserDoc> {
    if (id === actor.id && role !== Role.ADMIN) throw new BadUserInputError('role', 'You cannot remove your own admin role; ask another admin.');
    return this.changeAccess(actor, id, { role }, 'user.setRole');
  }

  async disable(actor: Actor, id: string): Promise<UserDoc> {
    if (id === actor.id) throw new BadUserInputError('id', 'You cannot disable yourself; ask another admin.');
    return this.changeAccess(actor, id, { disabled: true }, 'user.disable');
  }

  async enable(actor: Actor, id: string): Promise<UserDoc> {
    return this.changeAccess(actor, id, { disabled: false }, 'user.enable');
  }

  /** Ends every session of the user (tokens signed before now stop working, open sockets close). */
  async revokeSessions(actor: Actor, id: string): Promise<UserDoc> {
    return this.changeAccess(actor, id, { bumpTokenVersion: true }, 'user.revokeSessions');
  }

  private async changeAccess(actor: Actor, id: string, change: { role?: Role; disabled?: boolean; bumpTokenVersion?: boolean }, action: AuditAction): Promise<UserDoc> {
    if (!isValidObjectId(id)) throw new NotFoundError('user not found');
    const result = await updateUserAccess(id, change);
    if (!result) throw new NotFoundError('user not found');
    const { before, after } = result;
    this.forget(id);
    if (after.role !== Role.ADMIN || after.disabled) {
      // The last enabled admin must stay: put it back (one conditional write each way).
      if (before.role === Role.ADMIN && !before.disabled && (await countEnabledAdmins()) === 0) {
        await updateUserAccess(id, { role: before.role, disabled: before.disabled });
        this.forget(id);
        throw new ConflictError('That would leave no enabled admin.');
      }
    }
    await this.audit.record(actor, action, id, {
      username: after.username,
      ...(change.role !== undefined ? { from: before.role, to: after.role } : {}),
    });
    await this.pubsub?.publish(Topics.USER_ACCESS_CHANGED, { userId: id });
    return after;
  }

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

  async create(actor: Actor, input: { username: string; password: string; role?: Role }): Promise<UserDoc> {
    const username = validateUsername(input.username);
    validatePassword(input.password);
    const user = await this.insert(username, input.password, input.role ?? Role.USER);
    await this.audit.record(actor, 'user.create', user.id, { username, role: user.role });
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
    await this.audit.record({ id: user.id as string }, 'user.create', user.id as string, { username, role: Role.ADMIN, firstAdmin: true });
    return { username, generatedPassword: password === undefined ? pw : undefined };
  }

  /** `npm start -- --reset-admin-password`: a new random password for `username`, returned to print once. */
  async resetPassword(username: string): Promise<string> {
    const pw = generatePassword();
    const user = await setUserPasswordHash(username, await hashPassword(pw));
    if (!user) throw new ConflictError(`no user "${username}" to reset (check ADMIN_USERNAME)`);
    await this.audit.record({ id: user.id as string }, 'user.resetPassword', user.id as string, { username, via: 'command line' });
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
