import { ObjectId } from 'bson';
import { OrderedKeys, type Pos, TypeBracket } from './ordered.keys';

function ids(keys: OrderedKeys, from: Pos = keys.start, to: Pos = keys.end, reverse = false): string[] {
  return [...keys.between(from, to, reverse)].map((e) => e.id);
}

test('keeps entries in key order per field direction, ties by insertion sequence', () => {
  const keys = new OrderedKeys([1, -1]);
  keys.insert(['b', 1], 0, 'x0');
  keys.insert(['a', 1], 1, 'x1');
  keys.insert(['a', 5], 2, 'x2');
  keys.insert(['a', 5], 3, 'x3');
  keys.insert(['c', 0], 4, 'x4');
  expect(ids(keys)).toEqual(['x2', 'x3', 'x1', 'x0', 'x4']);
  expect(keys.delete(['a', 5], 2)).toBe(true);
  expect(keys.delete(['a', 5], 2)).toBe(false);
  expect(keys.delete(['a', 4], 3)).toBe(false);
  expect(ids(keys)).toEqual(['x3', 'x1', 'x0', 'x4']);
});

test('orders mixed BSON types as MongoDB does (null < numbers < strings < ObjectId < dates)', () => {
  const keys = new OrderedKeys([1]);
  const oid = new ObjectId();
  const values = [new Date(5), 'str', 3, oid, null, undefined, -1.5, true];
  values.forEach((v, i) => keys.insert([v], i, `v${i}`));
  expect(ids(keys)).toEqual(['v4', 'v5', 'v6', 'v2', 'v1', 'v3', 'v7', 'v0']);
});

test('probes find the bounds of prefixes, inclusive and exclusive values and type brackets', () => {
  const keys = new OrderedKeys([1, 1]);
  let seq = 0;
  for (const a of ['p', 'q']) for (const n of [1, 2, 2, 3]) keys.insert([a, n], seq, `${a}${n}.${seq++}`);
  keys.insert(['q', 'text'], seq++, 'qtext');
  // All of prefix 'q'.
  expect(ids(keys, keys.after({ vals: ['q'], tail: -1 }), keys.after({ vals: ['q'], tail: 1 }))).toEqual(['q1.4', 'q2.5', 'q2.6', 'q3.7', 'qtext']);
  // q, n > 1 (numbers only), and q, n >= 2 and < 3.
  const gt1 = [keys.after({ vals: ['q', 1], tail: 1 }), keys.after({ vals: ['q', new TypeBracket(2, 1)], tail: 1 })];
  expect(ids(keys, ...gt1)).toEqual(['q2.5', 'q2.6', 'q3.7']);
  expect(ids(keys, keys.after({ vals: ['q', 2], tail: -1 }), keys.after({ vals: ['q', 3], tail: -1 }))).toEqual(['q2.5', 'q2.6']);
  expect(keys.after({ vals: ['z'], tail: -1 })).toEqual(keys.end);
  expect(ids(keys, keys.after({ vals: ['p'], tail: 1 }), keys.after({ vals: ['q', 2], tail: 1 }), true)).toEqual(['q2.6', 'q2.5', 'q1.4']);
});

test('stays sorted under random inserts and deletes across many blocks', () => {
  const keys = new OrderedKeys([-1]);
  const live = new Map<number, number>();
  let x = 12345;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) % 5000;
  let missed = 0;
  for (let i = 0; i < 20000; i++) {
    const seq = rnd();
    if (live.has(seq)) {
      if (!keys.delete([live.get(seq)], seq)) missed++;
      live.delete(seq);
    } else {
      const v = rnd() % 50;
      keys.insert([v], seq, String(seq));
      live.set(seq, v);
    }
  }
  expect(missed).toBe(0);
  expect(keys.size).toBe(live.size);
  const expected = [...live.entries()].sort((p, q) => q[1] - p[1] || p[0] - q[0]).map(([s]) => String(s));
  expect(ids(keys)).toEqual(expected);
  expect(ids(keys, keys.start, keys.end, true)).toEqual([...expected].reverse());
  // Ranges that start and end inside different blocks.
  const from = keys.after({ vals: [40], tail: -1 });
  const to = keys.after({ vals: [10], tail: 1 });
  const inRange = [...live.entries()].filter(([, v]) => v <= 40 && v >= 10).sort((p, q) => q[1] - p[1] || p[0] - q[0]).map(([s]) => String(s));
  expect(keys.distance(from, to)).toBe(inRange.length);
  expect(ids(keys, from, to)).toEqual(inRange);
  expect(ids(keys, from, to, true)).toEqual([...inRange].reverse());
});
