import { Types } from 'mongoose';
import { jsonClone } from './json-clone';

const viaJson = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

describe('jsonClone', () => {
  it('equals the JSON round trip for the payloads we publish', () => {
    const id = new Types.ObjectId();
    const samples: unknown[] = [
      { jobId: id, at: new Date(0), chunks: [{ seq: 1, data: 'x'.repeat(70_000), at: new Date() }] },
      { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, NaN, Infinity, -0], e: null },
      { nested: { deep: [{ id }, new Date(5)] }, n: new Number(3), s: new String('t'), t: new Boolean(false) },
      { toJSON: (k: string) => ({ key: k }) },
      { inner: { toJSON: (k: string) => `key:${k}` }, list: [{ toJSON: (k: string) => k }] },
      Buffer.from('hi'),
      'plain',
      42,
      undefined,
      { at: 'ISO string', status: 'QUEUED' },
    ];
    for (const s of samples) expect(jsonClone(s)).toEqual(viaJson(s));
  });

  it('shares no object with the input', () => {
    const input = { a: { b: [1, { c: 2 }] } };
    const out = jsonClone(input) as typeof input;
    expect(out.a).not.toBe(input.a);
    expect(out.a.b[1]).not.toBe(input.a.b[1]);
  });

  it('throws where JSON.stringify throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonClone(cyclic)).toThrow(TypeError);
    expect(() => jsonClone({ n: BigInt(1) })).toThrow(TypeError);
  });
});
