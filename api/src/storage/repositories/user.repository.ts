import { Role } from '../../domain/enums';
import { UserModel } from '../models';
import type { UserDoc } from './documents';
import type { Id } from './ids';

export async function findUserById(id: Id): Promise<UserDoc | null> {
  return UserModel.findById(id).exec();
}

export async function findUsersByIds(ids: readonly Id[]): Promise<UserDoc[]> {
  return UserModel.find({ _id: { $in: [...ids] } }).exec();
}

export async function findUserByUsername(username: string): Promise<UserDoc | null> {
  return UserModel.findOne({ username }).exec();
}

/** Every user by name. */
export async function listUsers(): Promise<UserDoc[]> {
  return UserModel.find().sort({ username: 1 }).exec();
}

export async function anyUserWithRole(role: Role): Promise<boolean> {
  return (await UserModel.exists({ role }).exec()) !== null;
}

/** Inserts a user; a taken username fails with the store's duplicate-key error (code 11000). */
export async function insertUser(fields: { username: string; passwordHash: string; role: Role }): Promise<UserDoc> {
  return UserModel.create(fields);
}

export async function findUserByOidcSubject(issuer: string, subject: string): Promise<UserDoc | null> {
  return UserModel.findOne({ oidcIssuer: issuer, oidcSubject: subject }).exec();
}

/** Inserts an OIDC-linked user (no password); a taken username or issuer+subject fails with code 11000. */
export async function insertOidcUser(fields: { username: string; role: Role; oidcIssuer: string; oidcSubject: string }): Promise<UserDoc> {
  return UserModel.create({ ...fields, lastLoginAt: new Date() });
}

export async function touchLastLogin(id: Id): Promise<void> {
  await UserModel.updateOne({ _id: id }, { $set: { lastLoginAt: new Date() } }).exec();
}

/** Replaces a user's password hash; null when no such user. */
export async function setUserPasswordHash(username: string, passwordHash: string): Promise<UserDoc | null> {
  return UserModel.findOneAndUpdate({ username }, { $set: { passwordHash } }, { returnDocument: 'after' }).exec();
}

/** Applies an admin change to one user; null when no such user. */
export async function updateUserAccess(
  id: Id,
  change: { role?: Role; disabled?: boolean; bumpTokenVersion?: boolean },
): Promise<{ before: UserDoc; after: UserDoc } | null> {
  const set: Record<string, unknown> = {};
  if (change.role !== undefined) set.role = change.role;
  if (change.disabled !== undefined) set.disabled = change.disabled;
  const update = { ...(Object.keys(set).length > 0 ? { $set: set } : {}), ...(change.bumpTokenVersion ? { $inc: { tokenVersion: 1 } } : {}) };
  const before = await UserModel.findOneAndUpdate({ _id: id }, update, { returnDocument: 'before' }).exec();
  if (!before) return null;
  const after = await UserModel.findById(id).exec();
  return after ? { before, after } : null;
}

/** How many enabled admins exist (the last one must not lock everyone out). */
export async function countEnabledAdmins(): Promise<number> {
  return UserModel.countDocuments({ role: Role.ADMIN, disabled: { $ne: true } }).exec();
}
