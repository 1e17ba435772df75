import { markMatches, plainText, sgrStateAfter, sgrStateBefore, stripAnsi, visible } from './log-text';

describe('log text', () => {
  it('shows what a terminal shows after carriage returns', () => {
    expect(visible('10%\r50%\r100%')).toBe('100%');
    expect(visible('done\r')).toBe('done\r');
    expect(visible('plain')).toBe('plain');
  });

  it('strips colour and OSC sequences for search', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m and \u001b]0;title\u0007text')).toBe('red and text');
    expect(plainText({ text: 'a\r\u001b[32mgreen\u001b[39m' })).toBe('green');
  });

  it('marks matches in text, never inside tags or entities', () => {
    const html = '<span style="color:rgb(187,0,0)">Error</span>: x &lt; error &amp; more';
    expect(markMatches(html, 'error')).toBe(
      '<span style="color:rgb(187,0,0)"><mark>Error</mark></span>: x &lt; <mark>error</mark> &amp; more',
    );
    expect(markMatches(html, 'color')).toBe(html);
    expect(markMatches(html, 'amp')).toBe(html);
    expect(markMatches('a.b axb', '.')).toBe('a<mark>.</mark>b axb');
    expect(markMatches(html, '  ')).toBe(html);
  });
});

describe('colour state across lines', () => {
  const ESC = '\u001b';
  it('carries SGR sequences until a reset', () => {
    expect(sgrStateAfter('', 'plain')).toBe('');
    expect(sgrStateAfter('', `${ESC}[31mred starts`)).toBe(`${ESC}[31m`);
    expect(sgrStateAfter(`${ESC}[31m`, `${ESC}[1mbold too`)).toBe(`${ESC}[31m${ESC}[1m`);
    expect(sgrStateAfter(`${ESC}[31m`, `end${ESC}[0m`)).toBe('');
    expect(sgrStateAfter(`${ESC}[31m`, `x${ESC}[m`)).toBe('');
    expect(sgrStateAfter(`${ESC}[31m`, `${ESC}[0;32mgreen`)).toBe(`${ESC}[0;32m`);
    expect(sgrStateAfter('', `${ESC}[31m${ESC}[0m`)).toBe('');
  });

  it('gives each line the state of the previous line of its stream and attempt', () => {
    const lines = [
      { text: `${ESC}[32mgreen block`, stream: 'STDOUT', attempt: 1 },
      { text: 'error line', stream: 'STDERR', attempt: 1 },
      { text: 'still green', stream: 'STDOUT', attempt: 1 },
      { text: `done${ESC}[0m`, stream: 'STDOUT', attempt: 1 },
      { text: 'plain again', stream: 'STDOUT', attempt: 1 },
      { text: 'next attempt', stream: 'STDOUT', attempt: 2 },
    ];
    expect(sgrStateBefore(lines, 0)).toBe('');
    expect(sgrStateBefore(lines, 1)).toBe('');
    expect(sgrStateBefore(lines, 2)).toBe(`${ESC}[32m`);
    expect(sgrStateBefore(lines, 3)).toBe(`${ESC}[32m`);
    expect(sgrStateBefore(lines, 4)).toBe('');
    expect(sgrStateBefore(lines, 5)).toBe('');
    expect(sgrStateBefore(lines, 99)).toBe('');
  });

  it('walks a long log once, then reuses what it computed', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => ({ text: i === 0 ? `${ESC}[33mstart` : `line ${i}`, stream: 'STDOUT', attempt: 1 }));
    expect(sgrStateBefore(lines, 99_999)).toBe(`${ESC}[33m`);
    const started = Date.now();
    for (let i = 0; i < 1000; i++) expect(sgrStateBefore(lines, 99_999 - (i % 50))).toBe(`${ESC}[33m`);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
