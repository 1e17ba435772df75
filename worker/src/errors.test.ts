import { isLeaseLost, isTransient, WorkerError } from './errors';

describe('WorkerError classification', () => {
  it('treats connection trouble and server hiccups as transient', () => {
    for (const code of ['NOT_CONNECTED', 'DISCONNECTED', 'TIMEOUT'] as const) expect(isTransient(new WorkerError(code, 'x'))).toBe(true);
    expect(isTransient(new WorkerError('SERVER', 'x', { serverCode: 'RATE_LIMITED' }))).toBe(true);
    expect(isTransient(new WorkerError('SERVER', 'x', { serverCode: 'INTERNAL_SERVER_ERROR' }))).toBe(true);
    expect(isTransient(new WorkerError('SERVER', 'x'))).toBe(true);
  });

  it('does not retry what cannot succeed', () => {
    expect(isTransient(new WorkerError('SERVER', 'x', { serverCode: 'BAD_USER_INPUT' }))).toBe(false);
    expect(isTransient(new WorkerError('CONFLICT', 'x'))).toBe(false);
    expect(isTransient(new WorkerError('AUTH', 'x'))).toBe(false);
    expect(isTransient(new Error('plain'))).toBe(false);
  });

  it('reads CONFLICT, and a job that is gone or not ours, as a lost lease', () => {
    expect(isLeaseLost(new WorkerError('CONFLICT', 'x', { serverCode: 'CONFLICT' }))).toBe(true);
    expect(isLeaseLost(new WorkerError('SERVER', 'x', { serverCode: 'NOT_FOUND' }))).toBe(true);
    expect(isLeaseLost(new WorkerError('SERVER', 'x', { serverCode: 'FORBIDDEN' }))).toBe(true);
    expect(isLeaseLost(new WorkerError('TIMEOUT', 'x'))).toBe(false);
    expect(isLeaseLost(new WorkerError('SERVER', 'x', { serverCode: 'BAD_USER_INPUT' }))).toBe(false);
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new WorkerError('DISCONNECTED', 'lost', { cause }).cause).toBe(cause);
  });
});
