import { CliError } from '../errors';

/** Reads all of stdin (for --password-stdin), without its final line break. */
export async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks on the terminal; with `hidden` nothing typed is echoed (a password). */
export function ask(question: string, hidden = false): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new CliError(`no terminal to ask on: ${hidden ? 'use --password-stdin' : 'give it as an option'}`));
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (fn: () => void) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      fn();
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003' || ch === '\u0004') return done(() => reject(new CliError('canceled')));
        if (ch === '\u007f' || ch === '\b') {
          if (value.length > 0) {
            value = [...value].slice(0, -1).join('');
            if (!hidden) process.stderr.write('\b \b');
          }
          continue;
        }
        value += ch;
        if (!hidden) process.stderr.write(ch);
      }
    };
    input.on('data', onData);
  });
}
