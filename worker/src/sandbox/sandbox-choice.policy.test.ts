import { SandboxError } from '../runner/sandbox.types';
import { chooseSandboxKind, isAtLeastAsStrong, parseSandboxKind } from './sandbox-choice.policy';

describe('chooseSandboxKind', () => {
  const all = ['NONE', 'NAMESPACE', 'DOCKER'] as const;

  it('uses the agent default when the job asks for nothing', () => {
    expect(chooseSandboxKind('NONE', all, null)).toBe('NONE');
    expect(chooseSandboxKind('NAMESPACE', all, undefined)).toBe('NAMESPACE');
  });

  it('lets a job narrow a NONE worker to NAMESPACE or DOCKER', () => {
    expect(chooseSandboxKind('NONE', all, 'NAMESPACE')).toBe('NAMESPACE');
    expect(chooseSandboxKind('NONE', all, 'DOCKER')).toBe('DOCKER');
  });

  it('refuses a weaker sandbox than the default, with a typed error', () => {
    expect(() => chooseSandboxKind('NAMESPACE', all, 'NONE')).toThrow(SandboxError);
    expect(() => chooseSandboxKind('NAMESPACE', all, 'NONE')).toThrow(/at least NAMESPACE; a job may only narrow/);
    expect(() => chooseSandboxKind('DOCKER', all, 'NONE')).toThrow(SandboxError);
  });

  it('does not swap NAMESPACE and DOCKER (neither is stronger than the other)', () => {
    expect(() => chooseSandboxKind('NAMESPACE', all, 'DOCKER')).toThrow(/at least NAMESPACE/);
    expect(() => chooseSandboxKind('DOCKER', all, 'NAMESPACE')).toThrow(/at least DOCKER/);
  });

  it('refuses a kind the host cannot run and says what it can', () => {
    let caught: unknown;
    try {
      chooseSandboxKind('NONE', ['NONE', 'NAMESPACE'], 'DOCKER');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SandboxError);
    expect((caught as SandboxError).code).toBe('SANDBOX');
    expect((caught as Error).message).toBe('sandbox DOCKER requested, but this worker cannot run it (available: NONE, NAMESPACE)');
  });

  it('orders kinds NONE < NAMESPACE, NONE < DOCKER', () => {
    expect(isAtLeastAsStrong('NAMESPACE', 'NONE')).toBe(true);
    expect(isAtLeastAsStrong('DOCKER', 'NONE')).toBe(true);
    expect(isAtLeastAsStrong('NONE', 'NAMESPACE')).toBe(false);
    expect(isAtLeastAsStrong('DOCKER', 'NAMESPACE')).toBe(false);
    expect(isAtLeastAsStrong('NAMESPACE', 'NAMESPACE')).toBe(true);
  });

  it('parses the CLI spelling', () => {
    expect(parseSandboxKind('namespace')).toBe('NAMESPACE');
    expect(parseSandboxKind('Docker')).toBe('DOCKER');
    expect(() => parseSandboxKind('chroot')).toThrow(/unknown sandbox "chroot"/);
  });
});
