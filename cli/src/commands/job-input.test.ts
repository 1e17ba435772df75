import { CliError } from '../errors';
import { buildJobInput, commandOf } from './job-input';

const none = { label: [], env: [], secretEnv: [] };

describe('commandOf', () => {
  it('one operand is a shell string; operands after -- are a command and its arguments', () => {
    expect(commandOf(['echo hi | wc -c'], false)).toEqual({ command: 'echo hi | wc -c' });
    expect(commandOf(['printf', '%s', 'a b'], true)).toEqual({ command: 'printf', args: ['%s', 'a b'] });
    expect(commandOf(['ls'], true)).toEqual({ command: 'ls', args: [] });
  });

  it('refuses several words without -- and no command at all', () => {
    expect(() => commandOf(['echo', 'hi'], false)).toThrow(/quote a shell string/);
    expect(() => commandOf([], true)).toThrow(CliError);
  });
});

describe('buildJobInput', () => {
  it('maps every option, with secret values taken from the environment', () => {
    const input = buildJobInput(
      { command: 'make' },
      { label: ['linux', 'gpu', 'linux'], env: ['A=1=2', 'B='], secretEnv: ['TOKEN'], timeout: 60, priority: 5, maxAttempts: 2, sandbox: 'namespace', image: 'alpine', cwd: '/src', idempotencyKey: 'k1' },
      { TOKEN: 's3cret' },
    );
    expect(input).toEqual({
      command: 'make',
      requirements: ['linux', 'gpu'],
      env: [
        { name: 'A', value: '1=2' },
        { name: 'B', value: '' },
        { name: 'TOKEN', value: 's3cret', secret: true },
      ],
      timeoutSeconds: 60,
      priority: 5,
      maxAttempts: 2,
      sandbox: 'NAMESPACE',
      image: 'alpine',
      cwd: '/src',
      idempotencyKey: 'k1',
    });
  });

  it('sends a fresh idempotency key when none is given', () => {
    const a = buildJobInput({ command: 'true' }, none, {});
    const b = buildJobInput({ command: 'true' }, none, {});
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
  });

  it('refuses a secret that is not set, a malformed --env and a name given twice', () => {
    expect(() => buildJobInput({ command: 'x' }, { ...none, secretEnv: ['MISSING'] }, {})).toThrow('--secret-env MISSING: MISSING is not set in this environment');
    expect(() => buildJobInput({ command: 'x' }, { ...none, env: ['NOVALUE'] }, {})).toThrow('--env NOVALUE: expected NAME=VALUE');
    expect(() => buildJobInput({ command: 'x' }, { ...none, env: ['A=1'], secretEnv: ['A'] }, { A: '2' })).toThrow('given twice');
  });
});
