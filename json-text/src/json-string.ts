/**
 * `JSON.stringify(s)` for a string, the same text, pushed onto `parts` (texts written one after
 * another into a message's bytes, spliced-json.ts); faster for the common log chunk: lines of
 * printable text. V8's JSON.stringify (Node 20) escapes a long string at about 1.5-2.5 ns a
 * character, the largest single cost of delivering a chunk to a subscriber; a chunk whose only
 * character to escape is the newline is escaped by splitting at the newlines and joining with
 * `\n`, 2 to 3 times faster. Anything else (quotes, backslashes, other control characters, lone
 * surrogates, whose escaping JSON.stringify decides: a lone surrogate becomes \udXXX), a short
 * string, or short lines (the split pays per line) goes through JSON.stringify.
 *
 * The quotes are parts of their own, and the escaped text is one flat string: measuring or
 * writing a rope (a quoted template, or what `replaceAll` returns, a concatenation per match)
 * flattens it first, one more copy of every character, made and collected, between the escape
 * and the socket (12% of what the API allocated streaming a 100 MB log).
 */
export function pushJsonString(parts: string[], s: string): void {
  if (needsStringify(s)) parts.push(JSON.stringify(s));
  else parts.push('"', s.split('\n').join('\\n'), '"');
}

function needsStringify(s: string): boolean {
  return s.length < MIN_LENGTH || s.includes('"') || s.includes('\\') || hasOtherEscaped(s) || newlinesDense(s);
}

/** Below this, JSON.stringify's own cost is too small to matter. */
const MIN_LENGTH = 4096;

/** How much of the start of a text the heuristics below look at. */
const PROBE = 4096;

/** What JSON.stringify escapes besides '"', '\\' and '\n', and any surrogate. */
const OTHER_ESCAPED = /[\u0000-\u0009\u000b-\u001f\ud800-\udfff]/;

const NON_ASCII = /[^\u0000-\u007f]/;

/** The control characters JSON.stringify escapes besides '\n'; the ones logs hold first (tab, CR, ESC of ANSI colours). */
const CONTROLS = ['\t', '\r', '\u001b'];
for (let c = 0; c < 0x20; c += 1) if (!CONTROLS.includes(String.fromCharCode(c)) && c !== 0x0a) CONTROLS.push(String.fromCharCode(c));

/** String.prototype.isWellFormed (ES2024, in Node 20): false when a lone surrogate is in the text. */
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/**
 * Whether `s` holds a character JSON.stringify escapes other than '"', '\\' and '\n'. On ASCII
 * text (what a probe of its start suggests) one native search per control character is about
 * three times faster than the regular expression's scan (20 against 57 µs for 64 KiB): each is
 * a vectorised search of a one-byte string, where the expression tests character by character.
 * Other text takes the expression, which also finds surrogates; after the searches a text that
 * is not ASCII after all is checked for lone surrogates (paired ones JSON.stringify leaves as
 * they are, and so do split and join).
 */
function hasOtherEscaped(s: string): boolean {
  if (NON_ASCII.test(s.slice(0, PROBE))) return OTHER_ESCAPED.test(s);
  for (const c of CONTROLS) if (s.includes(c)) return true;
  return !isWellFormed.call(s);
}

/** Measured (with replaceAll, which costs as much): about 40 ns a line, so lines under ~24 characters on average favour JSON.stringify. */
const MAX_NEWLINES_IN_PROBE = Math.floor(PROBE / 24);

function newlinesDense(s: string): boolean {
  let n = 0;
  for (let at = s.indexOf('\n'); at >= 0 && at < PROBE; at = s.indexOf('\n', at + 1)) {
    n += 1;
    if (n > MAX_NEWLINES_IN_PROBE) return true;
  }
  return false;
}
