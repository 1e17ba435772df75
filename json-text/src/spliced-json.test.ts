import { SplicedJson, splicedJsonArray, spliceMessage } from './spliced-json';

const items = [{ seq: 1, data: 'plain "quoted" \\ \n\t\u0001' }, { seq: 2, data: 'héllo ✓ 日本語 😀 \ud800 lone' }, { seq: 3, data: '' }];

describe('splicedJsonArray', () => {
  it('gives the same bytes as JSON.stringify of the whole message, multi-byte text around it included', () => {
    const message = { id: 'öp-✓', type: 'next', payload: { data: { jobLogs: { jobId: 'j', chunks: items } } } };
    const spliced = { ...message, payload: { data: { jobLogs: { jobId: 'j', chunks: splicedJsonArray(items.map((i) => JSON.stringify(i))) } } } };
    const bytes = spliceMessage(JSON.stringify(spliced));
    expect(bytes?.toString('utf8')).toBe(JSON.stringify(message));
    expect(bytes?.length).toBe(Buffer.byteLength(JSON.stringify(message)));
  });

  it('an element may be parts written one after another', () => {
    const bytes = spliceMessage(JSON.stringify({ a: splicedJsonArray([['{"d":', '"', 'x\\ny', '"', '}'], '2']) }));
    expect(bytes?.toString('utf8')).toBe('{"a":[{"d":"x\\ny"},2]}');
  });

  it('an empty array, and a message with no array is left alone', () => {
    const bytes = spliceMessage(JSON.stringify({ a: splicedJsonArray([]), b: 1 }));
    expect(bytes?.toString('utf8')).toBe('{"a":[],"b":1}');
    expect(spliceMessage('{"id":"1","type":"complete"}')).toBeUndefined();
  });

  it('splices only into the message that was stringified with it, and forgets a value whose message was never sent', () => {
    JSON.stringify({ lost: splicedJsonArray(['1']) });
    expect(spliceMessage('{"other":true}')).toBeUndefined();
    const sent = JSON.stringify({ a: splicedJsonArray(['2']) });
    expect(spliceMessage(sent)?.toString('utf8')).toBe('{"a":[2]}');
    // taken once
    expect(spliceMessage(sent)).toBeUndefined();
  });
});

describe('SplicedJson', () => {
  it('makes its parts when the message is sent, each time it is sent', () => {
    let made = 0;
    const value = new SplicedJson(() => {
      made += 1;
      return ['{"n":', String(made), ',"t":"✓"}'];
    });
    const variables = { batches: value };
    expect(made).toBe(0);
    expect(spliceMessage(JSON.stringify({ payload: variables }))?.toString('utf8')).toBe('{"payload":{"batches":{"n":1,"t":"✓"}}}');
    // a resend of the same request (after a reconnect) writes it again
    expect(spliceMessage(JSON.stringify({ payload: variables }))?.toString('utf8')).toBe('{"payload":{"batches":{"n":2,"t":"✓"}}}');
    expect(made).toBe(2);
  });
});
