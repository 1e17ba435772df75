import { exitStatusFor } from './exit-status';

describe('exitStatusFor', () => {
  it.each([
    [{ status: 'SUCCEEDED', exitCode: 0 }, 0],
    [{ status: 'FAILED', exitCode: 3 }, 3],
    [{ status: 'FAILED', exitCode: null, signal: 'SIGKILL' }, 137],
    [{ status: 'FAILED', exitCode: null, signal: 'TERM' }, 143],
    [{ status: 'CANCELED', exitCode: null, signal: 'SIGTERM' }, 130],
    [{ status: 'TIMED_OUT', exitCode: null, signal: 'SIGKILL' }, 124],
    [{ status: 'FAILED', exitCode: null, signal: null }, 125],
  ])('%j exits %i', (job, code) => {
    expect(exitStatusFor(job)).toBe(code);
  });
});
