import { claimFactsOf, claimKeyOf } from './claim-key';
import { SandboxKind } from './enums';

test('one key per set of requirements and sandbox, whatever the order or repeats', () => {
  expect(claimKeyOf({ requirements: ['linux', 'gpu', 'linux'] })).toBe(claimKeyOf({ requirements: ['gpu', 'linux'], sandbox: null }));
  expect(claimKeyOf({})).toBe('[[],null]');
  expect(claimKeyOf({ requirements: ['a'], sandbox: SandboxKind.DOCKER })).not.toBe(claimKeyOf({ requirements: ['a'] }));
});

test('a key gives back the facts it was made from; anything else gives null', () => {
  const key = claimKeyOf({ requirements: ['b', 'a'], sandbox: SandboxKind.NAMESPACE });
  expect(claimFactsOf(key)).toEqual({ requirements: ['a', 'b'], sandbox: SandboxKind.NAMESPACE });
  for (const bad of ['', 'not json', '[]', '[["a"]]', '[[1],null]', '[["a"],"NO_SUCH_SANDBOX"]', '{"a":1}']) expect(claimFactsOf(bad)).toBeNull();
});
