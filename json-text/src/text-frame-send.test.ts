import { splicedJsonArray } from './spliced-json';
import { sendArgs, textFrameSend, type SendCallback } from './text-frame-send';

describe('sendArgs', () => {
  const cb: SendCallback = () => undefined;
  it.each<[string, unknown, SendCallback | undefined, { options: object; callback: SendCallback | undefined }]>([
    ['no options, no callback', undefined, undefined, { options: {}, callback: undefined }],
    ['a callback in the options place', cb, undefined, { options: {}, callback: cb }],
    ['options and a callback', { fin: true }, cb, { options: { fin: true }, callback: cb }],
  ])('%s', (_, optionsOrCb, callback, expected) => {
    expect(sendArgs(optionsOrCb, callback)).toEqual(expected);
  });
});

describe('textFrameSend', () => {
  const sent: Array<{ data: unknown; options: object; cb?: SendCallback }> = [];
  const send = textFrameSend((data, options, cb) => sent.push({ data, options, cb }));
  beforeEach(() => sent.splice(0));

  it('passes a small string, and what is not a string, on as it came, options and callback kept', () => {
    const cb: SendCallback = () => undefined;
    send('{"type":"ping"}', cb);
    send(Buffer.from('x'), { binary: true });
    expect(sent).toEqual([
      { data: '{"type":"ping"}', options: {}, cb },
      { data: Buffer.from('x'), options: { binary: true }, cb: undefined },
    ]);
  });

  it('sends a spliced message as its bytes in a text frame', () => {
    send(JSON.stringify({ a: splicedJsonArray(['1']) }), { fin: true });
    expect(sent).toHaveLength(1);
    expect(String(sent[0].data)).toBe('{"a":[1]}');
    expect(sent[0].options).toEqual({ fin: true, binary: false });
  });
});
