/**
 * Replaces secret values in a stream of text with `***`, also when a value is split
 * across two reads: a tail that could be the start of a secret is held back until more
 * text arrives or the stream ends (at most `max(secret length) - 1` characters).
 * Besides each value as given, its common accidental encodings are masked too (maskedForms).
 */
export const MASK = '***';

/** Encoded forms shorter than this are not masked: they would hit ordinary text. */
export const MIN_ENCODED_LENGTH = 6;

/**
 * What is masked for one secret value: the value itself, and (when at least
 * MIN_ENCODED_LENGTH characters long)
 * - its base64 (standard and URL-safe alphabets) wherever it sits in a longer encoded text,
 *   e.g. `user:<secret>` in a Basic auth header: for each of the three byte offsets the
 *   characters that depend on the secret's bytes alone (so at most the one or two characters
 *   shared with the neighbouring bytes, and `=` padding, stay visible);
 * - its URL encoding (percent-encoding as encodeURIComponent does, with upper- and lower-case
 *   hex, and with `+` for spaces as in form encoding).
 */
export function maskedForms(secret: string): string[] {
  const forms = new Set([secret]);
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64').replace(/=+$/, '');
    // Character i covers bits [6i, 6i + 6); keep those inside the secret's bits [8 * offset, 8 * (offset + n)).
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const core = encoded.slice(first, end);
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const uri = encodeURIComponent(secret);
  forms.add(uri);
  forms.add(uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  forms.add(uri.replace(/%20/g, '+'));
  return [...forms].filter((f) => f === secret || f.length >= MIN_ENCODED_LENGTH);
}

export class SecretMasker {
  private readonly secrets: string[];
  private readonly pattern: RegExp | undefined;
  private readonly maxLen: number;
  private held = '';

  constructor(secrets: Iterable<string>) {
    // Longest first: at one position the longest secret wins, so a short secret that is a
    // prefix of a longer one cannot leave the rest of the longer one visible.
    this.secrets = [...new Set([...secrets].filter((s) => s.length > 0).flatMap(maskedForms))].sort((a, b) => b.length - a.length);
    this.maxLen = this.secrets[0]?.length ?? 0;
    this.pattern = this.secrets.length > 0 ? new RegExp(this.secrets.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  /** Masked text that is safe to emit now (possibly empty). */
  push(text: string): string {
    if (!this.pattern) return text;
    return this.process(this.held + text, false);
  }

  /** The held-back tail, masked; call once at the end of the stream. */
  end(): string {
    if (!this.pattern) return '';
    return this.process(this.held, true);
  }

  /** Characters currently held back. */
  get pending(): number {
    return this.held.length;
  }

  private process(text: string, final: boolean): string {
    const pattern = this.pattern!;
    const n = text.length;
    const out: string[] = [];
    let pos = 0;
    this.held = '';
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      // A match near the end may be the start of a longer secret still arriving.
      if (!final && n - m.index < this.maxLen && this.isProperPrefix(text, m.index)) {
        out.push(text.slice(pos, m.index));
        this.held = text.slice(m.index);
        return out.join('');
      }
      out.push(text.slice(pos, m.index), MASK);
      pos = m.index + m[0].length;
    }
    if (!final) {
      for (let j = Math.max(pos, n - this.maxLen + 1); j < n; j++) {
        if (this.isProperPrefix(text, j)) {
          out.push(text.slice(pos, j));
          this.held = text.slice(j);
          return out.join('');
        }
      }
    }
    out.push(text.slice(pos));
    return out.join('');
  }

  /** text[from..] is a proper prefix of some secret */
  private isProperPrefix(text: string, from: number): boolean {
    const tail = text.length - from;
    for (const s of this.secrets) {
      if (s.length > tail && text.startsWith(s.slice(0, tail), from)) return true;
    }
    return false;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
