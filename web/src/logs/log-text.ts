/** Pure text helpers for log lines: what a terminal would show, search text, match marks. */

// CSI sequences (colours, cursor moves), OSC sequences (titles, links), two-byte escapes
// (control characters in the pattern are the point)
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** A carriage return rewrites the line, as a terminal shows it (progress bars). */
export function visible(text: string): string {
  const cr = text.lastIndexOf('\r');
  return cr >= 0 && cr < text.length - 1 ? text.slice(cr + 1) : text;
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

const plainCache = new WeakMap<object, string>();

/** The line as shown, without escape sequences (what search looks at); cached per line. */
export function plainText(line: { text: string }): string {
  let plain = plainCache.get(line);
  if (plain === undefined) {
    plain = stripAnsi(visible(line.text));
    plainCache.set(line, plain);
  }
  return plain;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };

/**
 * Wraps each case-insensitive occurrence of `query` in <mark>, in the text between the tags
 * and entities of escaped HTML (a match across a colour change or an entity is not marked;
 * its row still is).
 */
export function markMatches(html: string, query: string): string {
  const q = query.trim();
  if (!q) return html;
  const escaped = q.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
  const pattern = new RegExp(escaped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return html
    .split(/(<[^>]*>|&[#\w]+;)/)
    .map((part) => (part.startsWith('<') || part.startsWith('&') ? part : part.replace(pattern, (m) => `<mark>${m}</mark>`)))
    .join('');
}

// (control characters in the pattern are the point)
const SGR_PATTERN = /\u001b\[([0-9;]*)m/g;
const MAX_SGR_STATE = 256;

/**
 * The SGR (colour/style) sequences still in effect after `text`, given those in effect
 * before it: a terminal keeps colours across newlines, a virtual list renders each line
 * alone, so each line is rendered with this prefix from the line before.
 */
export function sgrStateAfter(before: string, text: string): string {
  if (!text.includes('\u001b[')) return before;
  let state = before;
  for (const m of text.matchAll(SGR_PATTERN)) {
    const params = m[1]!;
    // a reset (ESC[m, ESC[0m, ESC[0;…m) makes everything before it irrelevant
    state = params === '' || params === '0' || params.startsWith('0;') ? (params.length > 1 ? m[0] : '') : state + m[0];
  }
  return state.length > MAX_SGR_STATE ? state.slice(state.indexOf('\u001b[', state.length - MAX_SGR_STATE)) : state;
}

const endStates = new WeakMap<object, string>();

/**
 * The SGR state at the start of `lines[index]`: the state after the previous line of the
 * same stream and attempt. Cached per line object, so a scroll only computes new lines.
 */
export function sgrStateBefore(lines: readonly { text: string; stream: string; attempt: number }[], index: number): string {
  const line = lines[index];
  if (!line) return '';
  // walk back to a line whose end state is known (or the start), then forward
  const chain: number[] = [];
  let state = '';
  for (let i = index - 1; i >= 0; i--) {
    const prev = lines[i]!;
    if (prev.stream !== line.stream) continue;
    if (prev.attempt !== line.attempt) break;
    const cached = endStates.get(prev);
    if (cached !== undefined) {
      state = cached;
      break;
    }
    chain.push(i);
  }
  for (let k = chain.length - 1; k >= 0; k--) {
    const prev = lines[chain[k]!]!;
    state = sgrStateAfter(state, prev.text);
    endStates.set(prev, state);
  }
  return state;
}
