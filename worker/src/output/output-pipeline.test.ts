import { OutputPipeline } from './output-pipeline';
import type { RawChunk } from './chunker';

const join = (chunks: RawChunk[], stream?: string): string =>
  chunks.filter((c) => stream === undefined || c.stream === stream).map((c) => c.data).join('');

describe('OutputPipeline', () => {
  it('decodes a UTF-8 character split across two reads, per stream', () => {
    const p = new OutputPipeline([]);
    const euro = Buffer.from('€', 'utf8'); // e2 82 ac
    const emoji = Buffer.from('😀', 'utf8');
    const out: RawChunk[] = [];
    out.push(...p.write('STDOUT', euro.subarray(0, 1)));
    out.push(...p.write('STDERR', emoji.subarray(0, 3)));
    out.push(...p.write('STDOUT', euro.subarray(1)));
    out.push(...p.write('STDERR', emoji.subarray(3)));
    out.push(...p.flush());
    expect(join(out, 'STDOUT')).toBe('€');
    expect(join(out, 'STDERR')).toBe('😀');
    expect(join(out)).not.toContain('\ufffd');
  });

  it('keeps interleaving: one stream per chunk, chunks in arrival order', () => {
    const p = new OutputPipeline([]);
    const out = [
      ...p.write('STDOUT', Buffer.from('1\n')),
      ...p.write('STDERR', Buffer.from('2\n')),
      ...p.write('STDOUT', Buffer.from('3\n')),
      ...p.system('note\n'),
      ...p.write('STDOUT', Buffer.from('4\n')),
      ...p.flush(),
    ];
    expect(out.map((c) => [c.stream, c.data])).toEqual([
      ['STDOUT', '1\n'],
      ['STDERR', '2\n'],
      ['STDOUT', '3\n'],
      ['SYSTEM', 'note\n'],
      ['STDOUT', '4\n'],
    ]);
  });

  it('masks a secret split across reads and flushes held text at end of stream', () => {
    const p = new OutputPipeline(['letmein']);
    const out = [
      ...p.write('STDOUT', Buffer.from('pw: let')),
      ...p.write('STDOUT', Buffer.from('mein ok let')),
      ...p.endStream('STDOUT'),
      ...p.flush(),
    ];
    expect(join(out)).toBe('pw: *** ok let');
  });

  it('emits an incomplete trailing character as U+FFFD at end of stream instead of dropping it', () => {
    const p = new OutputPipeline([]);
    const out = [...p.write('STDOUT', Buffer.from([0x61, 0xe2, 0x82])), ...p.endStream('STDOUT'), ...p.flush()];
    expect(join(out)).toBe('a\ufffd');
  });
});
