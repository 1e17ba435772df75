import { AnsiUp } from 'ansi_up';
import { visible } from './log-text';

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
