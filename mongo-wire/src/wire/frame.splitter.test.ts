import { FrameSplitter } from './frame.splitter';

function frameOf(len: number): Buffer {
  const b = Buffer.alloc(len);
  b.writeInt32LE(len, 0);
  b.writeInt32LE(42, 4);
  return b;
}

test('splits frames across and within chunks', () => {
  const s = new FrameSplitter();
  const both = Buffer.concat([frameOf(20), frameOf(30)]);
  s.push(both.subarray(0, 7));
  expect(s.next()).toBeNull();
  s.push(both.subarray(7, 25));
  expect(s.next()).toMatchObject({ kind: 'frame' });
  expect(s.next()).toBeNull();
  s.push(both.subarray(25));
  const second = s.next();
  expect(second?.kind === 'frame' && second.frame.length).toBe(30);
  expect(s.pendingBytes).toBe(0);
});

test('reports impossible lengths with the request id', () => {
  for (const len of [15, -1, 48_000_001]) {
    const s = new FrameSplitter();
    const b = Buffer.alloc(8);
    b.writeInt32LE(len, 0);
    b.writeInt32LE(42, 4);
    s.push(b);
    expect(s.next()).toEqual({ kind: 'bad-length', messageLength: len, requestID: 42 });
  }
});
