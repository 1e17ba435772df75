import { waitingReason } from './waiting-reason.rules';

describe('why a queued job waits', () => {
  const linux = { labels: ['linux'], sandboxes: ['NONE'] };
  const gpu = { labels: ['linux', 'gpu'], sandboxes: ['NONE', 'NAMESPACE'] };

  it('says when no worker is online at all', () => {
    expect(waitingReason({ requirements: [] }, [])).toBe('no worker is online');
  });

  it('names the labels no online worker has all of', () => {
    expect(waitingReason({ requirements: ['gpu', 'cuda'] }, [linux, gpu])).toBe('no online worker has labels gpu, cuda');
  });

  it('has nothing to say when a worker with every label is online', () => {
    expect(waitingReason({ requirements: ['gpu'] }, [linux, gpu])).toBeNull();
    expect(waitingReason({ requirements: [] }, [linux])).toBeNull();
  });

  it('names a sandbox no suitable worker offers', () => {
    expect(waitingReason({ requirements: ['linux'], sandbox: 'DOCKER' }, [linux, gpu])).toBe('no online worker with labels linux offers the DOCKER sandbox');
    expect(waitingReason({ requirements: ['gpu'], sandbox: 'NAMESPACE' }, [linux, gpu])).toBeNull();
  });
});
