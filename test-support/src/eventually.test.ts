import { eventually, until } from './eventually';

describe('eventually', () => {
  it('resolves with the first defined value, treating throws as "not yet"', async () => {
    let calls = 0;
    const value = await eventually(() => {
      calls += 1;
      if (calls === 1) throw new Error('not ready');
      return calls < 3 ? undefined : `after ${calls}`;
    }, 2000, 'three calls', 5);
    expect(value).toBe('after 3');
  });

  it('names what it waited for, the state seen last, and the last error, when time runs out', async () => {
    let seen = 0;
    await expect(
      eventually(
        () => {
          seen += 1;
          throw new Error(`still ${seen}`);
        },
        60,
        () => `the answer (seen ${seen})`,
        5,
      ),
    ).rejects.toThrow(new RegExp(`^timed out waiting for the answer \\(seen \\d+\\): Error: still \\d+$`));
    expect(seen).toBeGreaterThan(1);
  });
});

describe('until', () => {
  it('resolves once the condition holds', async () => {
    const start = Date.now();
    await until(() => Date.now() - start >= 30, 2000, 'time to pass', 5);
    expect(Date.now() - start).toBeGreaterThanOrEqual(30);
  });

  it('fails after the timeout, naming the condition', async () => {
    await expect(until(() => false, 40, 'the impossible', 5)).rejects.toThrow('the impossible not met in 40 ms');
  });
});
