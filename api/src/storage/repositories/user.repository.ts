import type { Role } from '../../domain/enums';
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

/** Replaces a user's password hash; null when no such user. */
export async function setUserPasswordHash(username: string, passwordHash: string): Promise<UserDoc | null> {
  return UserModel.findOneAndUpdate({ username }, { $set: { passwordHash } }, { new: true }).exec();
}
