import { claimKeyOf } from '../domain/claim-key';
import { SandboxKind } from '../domain/enums';
import { MAX_CLAIM_KEYS, QueuedClaimKeys } from './queued-claim-keys';

const linuxWorker = { labels: ['linux', 'gpu'], sandboxes: [SandboxKind.NONE] };
const key = (requirements: string[], sandbox: SandboxKind | null = null) => claimKeyOf({ requirements, sandbox });

test('no keys until the queue has been read: claims then read every kind', async () => {
  const kinds = new QueuedClaimKeys();
  kinds.note({ requirements: ['linux'] });
  expect(kinds.keysFor(linuxWorker)).toBeUndefined();
  await kinds.refresh(async () => [key(['linux'])]);
  expect(kinds.keysFor(linuxWorker)).toEqual([key(['linux'])]);
  // What was noted before the read began was stored before it, so the read answers for it.
  kinds.note({ requirements: ['gpu'] });
  await kinds.refresh(async () => []);
  expect(kinds.keysFor(linuxWorker)).toEqual([]);
});

test('a worker gets the kinds it may run: requirements among its labels, a sandbox it has', async () => {
  const kinds = new QueuedClaimKeys();
  await kinds.refresh(async () => [key([]), key(['linux']), key(['gpu', 'linux']), key(['mac']), key(['linux'], SandboxKind.DOCKER), 'garbage', null, 7]);
  expect(kinds.keysFor(linuxWorker)?.sort()).toEqual([key([]), key(['linux']), key(['gpu', 'linux'])].sort());
  expect(kinds.keysFor({ labels: [], sandboxes: [SandboxKind.DOCKER] })).toEqual([key([])]);
});

test('a read replaces what was known, but keeps kinds noted while it was in flight', async () => {
  const kinds = new QueuedClaimKeys();
  await kinds.refresh(async () => [key(['linux']), key(['gpu'])]);
  let answer!: (keys: unknown[]) => void;
  const reading = kinds.refresh(() => new Promise((resolve) => (answer = resolve)));
  kinds.note({ requirements: ['gpu', 'linux'] });
  kinds.note({ requirements: ['gpu'] });
  answer([key(['linux'])]);
  await reading;
  expect(kinds.keysFor(linuxWorker)?.sort()).toEqual([key(['linux']), key(['gpu', 'linux']), key(['gpu'])].sort());
  // The next read, with nothing noted meanwhile, drops the kinds no longer queued.
  await kinds.refresh(async () => [key(['linux'])]);
  expect(kinds.keysFor(linuxWorker)).toEqual([key(['linux'])]);
});

test('a failed read leaves what was known', async () => {
  const kinds = new QueuedClaimKeys();
  await kinds.refresh(async () => [key(['linux'])]);
  await expect(kinds.refresh(async () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
  expect(kinds.keysFor(linuxWorker)).toEqual([key(['linux'])]);
});

test('more kinds than a merge is worth: the claim goes without keys', async () => {
  const kinds = new QueuedClaimKeys();
  const labels = Array.from({ length: MAX_CLAIM_KEYS + 1 }, (_, i) => `l${i}`);
  await kinds.refresh(async () => labels.map((l) => key([l])));
  expect(kinds.keysFor({ labels, sandboxes: [] })).toBeUndefined();
  expect(kinds.keysFor({ labels: labels.slice(0, MAX_CLAIM_KEYS), sandboxes: [] })).toHaveLength(MAX_CLAIM_KEYS);
});
