import { Role } from '../domain/enums';
import { readmit } from './admission-recheck';
import type { Principal } from './principal';

const user: Principal = { kind: 'user', userId: 'u1', username: 'ann', role: Role.USER };
const worker: Principal = { kind: 'worker', tokenId: 't1', workerName: 'w', labels: [], expiresAt: new Date('2027-01-01T00:00:00Z') };

describe('readmit', () => {
  it('keeps a socket whose caller would be admitted the same now', () => {
    expect(readmit(user, { ...user })).toEqual({ keep: true });
    expect(readmit(worker, { ...worker })).toEqual({ keep: true });
  });

  it('closes a socket whose credential is refused now (revoked, disabled, signed out)', () => {
    expect(readmit(user, { kind: 'anonymous', authError: 'this user is disabled' })).toEqual({ keep: false });
    expect(readmit(worker, { kind: 'anonymous', authError: 'invalid, expired or revoked worker token' })).toEqual({ keep: false });
  });

  it('closes a user socket whose role changed, as the live change would', () => {
    expect(readmit(user, { ...user, role: Role.ADMIN })).toEqual({ keep: false });
  });

  it('keeps a rotated-out worker token until its grace ends, never past its own expiry', () => {
    const graceEnd = new Date('2026-06-01T00:00:00Z');
    expect(readmit(worker, { ...worker, expiresAt: graceEnd })).toEqual({ keep: true, until: graceEnd });
    expect(readmit({ ...worker, expiresAt: undefined }, { ...worker, expiresAt: graceEnd })).toEqual({ keep: true, until: graceEnd });
    expect(readmit(worker, { ...worker, expiresAt: new Date('2028-01-01T00:00:00Z') })).toEqual({ keep: true });
  });

  it('leaves anonymous sockets alone', () => {
    expect(readmit({ kind: 'anonymous' }, { kind: 'anonymous' })).toEqual({ keep: true });
  });
});
