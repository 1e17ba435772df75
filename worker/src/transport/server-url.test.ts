import { toWebSocketUrl } from './server-url';

describe('toWebSocketUrl', () => {
  it.each([
    ['http://127.0.0.1:4000', 'ws://127.0.0.1:4000/graphql'],
    ['https://ci.example.com', 'wss://ci.example.com/graphql'],
    ['ws://h:1/graphql', 'ws://h:1/graphql'],
    ['wss://h/custom/path', 'wss://h/custom/path'],
    ['http://h:4000/', 'ws://h:4000/graphql'],
  ])('%s → %s', (input, out) => {
    expect(toWebSocketUrl(input)).toBe(out);
  });

  it('rejects other schemes and non-URLs with a message naming the option', () => {
    expect(() => toWebSocketUrl('ftp://h')).toThrow(/--server/);
    expect(() => toWebSocketUrl('localhost:4000x')).toThrow(/--server/);
  });
});
