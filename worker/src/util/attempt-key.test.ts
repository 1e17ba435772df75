import { attemptKey } from './attempt-key';

describe('attemptKey', () => {
  it('names an attempt as jobId/attempt', () => {
    expect(attemptKey({ jobId: '65f0c0ffee', attempt: 2 })).toBe('65f0c0ffee/2');
  });

  it('tells two attempts of one job apart', () => {
    expect(attemptKey({ jobId: 'j', attempt: 1 })).not.toBe(attemptKey({ jobId: 'j', attempt: 2 }));
  });
});
