import { AnsiUp } from 'ansi_up';

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links)
// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

const plainCache = new WeakMap<object, string>();

/** The line as text, without escape sequences (for search). */
export function plainText(line: { text: string }): string {
  let plain = plainCache.get(line);
  if (plain === undefined) {
    plain = visible(line.text).replace(ANSI_PATTERN, '');
    plainCache.set(line, plain);
  }
  return plain;
}

/**
 * HTML for one line. A fresh converter per line: rows are rendered out of order by the
 * virtual list, so colour state must not leak from whatever row rendered last.
 * ansi_up escapes the text itself.
 */
export function lineHtml(text: string): string {
  const converter = new AnsiUp();
  converter.use_classes = false;
  return converter.ansi_to_html(visible(text));
}

/** a carriage return rewrites the line, as a terminal would show it (progress bars) */
function visible(text: string): string {
  const cr = text.lastIndexOf('\r');
  return cr >= 0 && cr < text.length - 1 ? text.slice(cr + 1) : text;
}
