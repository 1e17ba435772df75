import { BadUserInputError } from '../errors';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

export function validateUsername(username: string, field = 'username'): string {
  const u = username.trim();
  if (!USERNAME.test(u)) {
    throw new BadUserInputError(field, 'username must be 1-64 characters: letters, digits, _ . @ - (not first)');
  }
  return u;
}

export function validatePassword(password: string, field = 'password'): void {
  if (password.length < 8) throw new BadUserInputError(field, 'password must be at least 8 characters');
  if (password.length > 1024) throw new BadUserInputError(field, 'password must be at most 1024 characters');
  if (password.includes('\0')) throw new BadUserInputError(field, 'password must not contain NUL bytes');
}
