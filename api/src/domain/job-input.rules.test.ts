import { BadUserInputError } from '../errors';
import { SandboxKind } from './enums';
import { validateCreateJob } from './job-input.rules';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BadUserInputError);
    return (err as BadUserInputError).field;
  }
  throw new Error('expected a BadUserInputError');
}

describe('validateCreateJob', () => {
  it('applies defaults and drops nulls', () => {
    expect(validateCreateJob({ command: 'true', priority: null, env: null, requirements: ['a', 'a', 'b'] })).toEqual({
      command: 'true',
      args: undefined,
      env: [],
      cwd: undefined,
      requirements: ['a', 'b'],
      priority: 0,
      timeoutSeconds: undefined,
      maxAttempts: 1,
      idempotencyKey: undefined,
      sandbox: undefined,
      image: undefined,
      limits: undefined,
    });
  });

  it('names the offending field', () => {
    expect(fieldOf(() => validateCreateJob({ command: '' }))).toBe('input.command');
    expect(fieldOf(() => validateCreateJob({ command: 'x', env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }))).toBe('input.env[1].name');
    expect(fieldOf(() => validateCreateJob({ command: 'x', priority: 1.5 }))).toBe('input.priority');
    expect(fieldOf(() => validateCreateJob({ command: 'x', image: 'alpine' }))).toBe('input.image');
    expect(fieldOf(() => validateCreateJob({ command: 'x', limits: { pids: 0 } }))).toBe('input.limits.pids');
    expect(fieldOf(() => validateCreateJob({ command: 'x'.repeat(60_000), args: ['y'.repeat(6000)] }))).toBe('input.args');
  });

  it('accepts a docker image with sandbox DOCKER', () => {
    expect(validateCreateJob({ command: 'x', sandbox: SandboxKind.DOCKER, image: 'alpine:3.20' }).image).toBe('alpine:3.20');
  });
});
