import { describeWait } from './queue-notice';

const w = (name: string, labels: string[], running = 0, capacity = 1, status = 'ONLINE') => ({ name, labels, running, capacity, status });

describe('describeWait', () => {
  it('says when no online worker has every label the job needs', () => {
    expect(describeWait(['gpu'], [w('a', ['linux']), w('b', ['gpu'], 0, 1, 'OFFLINE')])).toBe('waiting for a worker with labels gpu: none online');
  });

  it('counts online workers with the labels and says when all are busy', () => {
    expect(describeWait(['gpu', 'linux'], [w('a', ['gpu', 'linux'], 2, 2), w('b', ['linux', 'gpu'], 1, 1)])).toBe(
      'waiting for a worker with labels gpu, linux: 2 online, all busy',
    );
    expect(describeWait([], [w('a', [], 0, 2)])).toBe('waiting for a worker: 1 online, 1 with a free slot');
  });
});
