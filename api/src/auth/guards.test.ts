import { Role } from '../domain/enums';
import { requireAdmin, requireUser, requireWorker } from './guards';

const admin = { principal: { kind: 'user' as const, userId: 'a', username: 'a', role: Role.ADMIN } };
const user = { principal: { kind: 'user' as const, userId: 'u', username: 'u', role: Role.USER } };
const worker = { principal: { kind: 'worker' as const, tokenId: 't', workerName: 'w', labels: [] } };
const anonymous = { principal: { kind: 'anonymous' as const } };
const expired = { principal: { kind: 'anonymous' as const, authError: 'token expired' } };

const code = (fn: () => unknown): unknown => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as { extensions?: { code?: string } }).extensions?.code;
  }
};

describe('guards', () => {
  it.each([
    ['requireUser', requireUser, ['ok', 'ok', 'FORBIDDEN', 'UNAUTHENTICATED']],
    ['requireAdmin', requireAdmin, ['ok', 'FORBIDDEN', 'FORBIDDEN', 'UNAUTHENTICATED']],
    ['requireWorker', requireWorker, ['FORBIDDEN', 'FORBIDDEN', 'ok', 'UNAUTHENTICATED']],
  ] as const)('%s: admin, user, worker, anonymous', (_name, guard, expected) => {
    expect([admin, user, worker, anonymous].map((ctx) => code(() => guard(ctx)))).toEqual(expected);
  });

  it('passes the reason a credential was refused on to the client', () => {
    expect(() => requireUser(expired)).toThrow('token expired');
  });
});
