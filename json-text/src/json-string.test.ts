import { pushJsonString } from './json-string';

/** The text the parts make. */
function jsonString(s: string): string {
  const parts: string[] = [];
  pushJsonString(parts, s);
  return parts.join('');
}

/** A string of `length` characters drawn from `alphabet`, from a seeded generator (a failure can be replayed). */
function randomText(seed: number, alphabet: readonly string[], length: number): string {
  let x = seed >>> 0 || 1;
  let out = '';
  while (out.length < length) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += alphabet[(x >>> 0) % alphabet.length];
  }
  return out;
}

describe('pushJsonString', () => {
  const line = `${'y'.repeat(99)}\n`;
  it.each<[string, string]>([
    ['long lines of printable text (the fast path)', line.repeat(700)],
    ['text without a newline', 'x'.repeat(10_000)],
    ['non-ASCII text without surrogates', 'héllo wörld 日本語\n'.repeat(600)],
    ['quotes and backslashes', `${JSON.stringify({ msg: 'a "quoted" C:\\path' })}\n`.repeat(300)],
    ['tabs and carriage returns', 'build output\twith tab\r\n'.repeat(500)],
    ['short lines', 'ok\n'.repeat(5000)],
    ['paired surrogates', 'emoji 😀 line\n'.repeat(800)],
    ['a lone surrogate', `${line.repeat(60)}\ud800${line.repeat(60)}`],
    ['U+2028 and U+2029 (not escaped by JSON)', `${line.repeat(50)}\u2028\u2029${line.repeat(50)}`],
    ['ANSI colours', `\u001b[32mok\u001b[0m ${line}`.repeat(300)],
    // ASCII at the start (the probe), something to escape only far after it
    ['a control character after an ASCII start', `${line.repeat(300)}\u0001${line}`],
    ['a DEL after an ASCII start (not escaped by JSON)', `${line.repeat(300)}\u007f${line}`],
    ['a lone surrogate after an ASCII start', `${line.repeat(300)}\udc00${line}`],
    ['a high surrogate ending the text after an ASCII start', `${line.repeat(300)}\ud83d`],
    ['paired surrogates after an ASCII start', `${line.repeat(300)}😀${line}`],
    ['non-ASCII text with a tab after its start', `${'héllo\n'.repeat(1000)}\t`],
    ['a short string', 'a\nb'],
    ['the empty string', ''],
  ])('%s: the text JSON.stringify gives', (_name, s) => {
    expect(jsonString(s)).toBe(JSON.stringify(s));
  });

  it('pushes long printable text as its quotes and the escaped text, three parts', () => {
    const parts: string[] = [];
    pushJsonString(parts, line.repeat(700));
    expect(parts).toEqual(['"', line.repeat(700).replaceAll('\n', '\\n'), '"']);
    pushJsonString(parts, 'short');
    expect(parts.slice(3)).toEqual(['"short"']);
  });

  it('agrees with JSON.stringify on random text of every kind of character', () => {
    const kinds = ['a', 'b', ' ', '\n', '"', '\\', '\t', '\r', '\u0000', '\u001f', '\u007f', 'é', '日', '😀', '\ud800', '\udc00', '\u2028', '\ud7ff', '\ue000', '\uffff'];
    for (let seed = 1; seed <= 400; seed += 1) {
      // Printable text with lines of ~50 characters (the fast path), and in every third string
      // one other kind of character as well (mostly JSON.stringify's path).
      const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
      const alphabet = [...letters, ...(seed % 2 ? ['\n'] : []), ...(seed % 3 === 0 ? [kinds[seed % kinds.length]] : [])];
      const s = randomText(seed, alphabet, 4096 + (seed * 37) % 9000);
      expect(jsonString(s)).toBe(JSON.stringify(s));
    }
  });
});
