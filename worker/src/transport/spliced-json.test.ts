import { SplicedJsonArray, spliceMessage } from './spliced-json';

const chunks = (tag: string) => [
  { seq: 1, stream: 'STDOUT', data: `${tag} plain "quoted" \\ \n\t\u0001` },
  { seq: 2, stream: 'STDERR', data: `${tag} héllo ✓ 日本語 😀 \ud800 lone` },
];
const spliced = (list: object[]) => new SplicedJsonArray(list.map((c) => JSON.stringify(c)));

describe('SplicedJsonArray', () => {
  it('gives the same bytes as JSON.stringify of the whole message, with several arrays in it', () => {
    const batches = [
      { jobId: 'a', attempt: 1, chunks: chunks('a') },
      { jobId: 'b', attempt: 2, chunks: [] },
      { jobId: 'c', attempt: 1, chunks: chunks('c') },
    ];
    const message = (list: typeof batches | Array<{ chunks: unknown }>) => ({ id: 'ö1', type: 'subscribe', payload: { query: 'mutation …', variables: { batches: list } } });
    const bytes = spliceMessage(JSON.stringify(message(batches.map((b) => ({ ...b, chunks: spliced(b.chunks) })))));
    expect(bytes?.toString('utf8')).toBe(JSON.stringify(message(batches)));
  });

  it('leaves a message with no array alone, and forgets arrays of a message never sent', () => {
    JSON.stringify({ lost: spliced(chunks('x')) });
    expect(spliceMessage('{"type":"ping"}')).toBeUndefined();
    const sent = JSON.stringify({ a: spliced([{ n: 1 }]) });
    expect(spliceMessage(sent)?.toString('utf8')).toBe('{"a":[{"n":1}]}');
    expect(spliceMessage(sent)).toBeUndefined();
  });
});
