import { splicedJsonArray } from './spliced-json';
import { textFrameBytes } from './text-frame-bytes';

describe('textFrameBytes', () => {
  it('leaves a small message as the string it is', () => {
    expect(textFrameBytes('{"type":"ping"}')).toBeUndefined();
  });

  it('gives a large message as its UTF-8 bytes, multi-byte characters included', () => {
    const message = JSON.stringify({ text: `${'é✓😀'.repeat(3000)}${'x'.repeat(20_000)}` });
    expect(textFrameBytes(message)?.equals(Buffer.from(message, 'utf8'))).toBe(true);
  });

  it('gives a message holding a spliced value with the value written in, however small', () => {
    expect(textFrameBytes(JSON.stringify({ a: splicedJsonArray(['"b"']) }))?.toString('utf8')).toBe('{"a":["b"]}');
  });
});
