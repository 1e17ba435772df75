import { maskedForms, SecretMasker } from './secret-masker';

/** feeds `parts` one by one, then ends the stream */
function run(secrets: string[], parts: string[]): { out: string; emitted: string[] } {
  const m = new SecretMasker(secrets);
  const emitted = parts.map((p) => m.push(p));
  emitted.push(m.end());
  return { out: emitted.join(''), emitted };
}

describe('SecretMasker', () => {
  it('masks whole occurrences', () => {
    expect(run(['hunter2'], ['pw=hunter2; again hunter2\n']).out).toBe('pw=***; again ***\n');
  });

  it('passes text through untouched without secrets', () => {
    const m = new SecretMasker([]);
    expect(m.push('abc')).toBe('abc');
    expect(m.end()).toBe('');
  });

  it('masks a secret split across two reads, at every split point', () => {
    const secret = 's3cr3t-value';
    const text = `before ${secret} after`;
    for (let cut = 1; cut < text.length; cut++) {
      const { out } = run([secret], [text.slice(0, cut), text.slice(cut)]);
      expect(out).toBe('before *** after');
    }
  });

  it('masks a secret delivered one character at a time', () => {
    const { out } = run(['abcdef'], [...'xxabcdefyy']);
    expect(out).toBe('xx***yy');
  });

  it('holds back only a possible secret prefix, and releases it when it turns out not to be one', () => {
    const m = new SecretMasker(['password123']);
    expect(m.push('hello pass')).toBe('hello ');
    expect(m.pending).toBe(4);
    expect(m.push('port\n')).toBe('passport\n');
    expect(m.pending).toBe(0);
  });

  it('emits a held tail at the end of the stream', () => {
    const m = new SecretMasker(['topsecret']);
    expect(m.push('ends with top')).toBe('ends with ');
    expect(m.end()).toBe('top');
  });

  it('prefers the longer secret when one secret is a prefix of another, also across reads', () => {
    expect(run(['ab', 'abcdef'], ['x ab', 'cdef y']).out).toBe('x *** y');
    expect(run(['ab', 'abcdef'], ['x ab', ' y']).out).toBe('x *** y');
  });

  it('escapes regular-expression characters in secrets', () => {
    expect(run(['a.b*c'], ['a.b*c axbbc']).out).toBe('*** axbbc');
  });

  it('never emits any secret in any of its pieces', () => {
    const secret = 'K9$zq!';
    const text = `${secret}${secret}-${secret}`.repeat(3);
    for (let size = 1; size <= 7; size++) {
      const parts: string[] = [];
      for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
      const { out, emitted } = run([secret], parts);
      expect(out).toBe('******-***'.repeat(3));
      expect(emitted.join('')).not.toContain(secret);
    }
  });

  describe('encoded forms', () => {
    const secret = 'p@ss wörd/+?=42';
    const b64 = (t: string) => Buffer.from(t, 'utf8').toString('base64');

    it('masks the base64 of a secret printed alone, standard and URL-safe', () => {
      const { out } = run([secret], [`token: ${b64(secret)}\n`]);
      expect(out).toMatch(/^token: \*\*\*[A-Za-z0-9+/=]{0,3}\n$/);
      const urlSafe = b64(secret).replace(/\+/g, '-').replace(/\//g, '_');
      expect(run([secret], [urlSafe]).out).toMatch(/^\*\*\*[\w-]{0,2}=*$/);
    });

    it('masks the base64 of a secret inside a longer encoded text at every byte offset (Basic auth and the like)', () => {
      for (const prefix of ['', 'a', 'ab', 'user:', 'admin:', 'x:y:z']) {
        const text = b64(`${prefix}${secret}!trailer`);
        const { out } = run([secret], [text]);
        expect(out).toContain('***');
        // What is left cannot be decoded back into the secret.
        expect(Buffer.from(out.replace('***', ''), 'base64').toString('utf8')).not.toContain(secret);
        expect(out).not.toContain(b64(secret).slice(4, -4));
      }
    });

    it('masks the URL encoding of a secret: percent-encoding in upper and lower case, + for spaces', () => {
      const uri = encodeURIComponent(secret);
      expect(run([secret], [`GET /?pw=${uri} HTTP/1.1`]).out).toBe('GET /?pw=*** HTTP/1.1');
      expect(run([secret], [`pw=${uri.toLowerCase()}`]).out).toBe('pw=***');
      expect(run([secret], [`pw=${uri.replace(/%20/g, '+')}`]).out).toBe('pw=***');
    });

    it('masks an encoded form split across reads', () => {
      const text = `a=${encodeURIComponent(secret)};b=${b64(secret)}`;
      for (let cut = 1; cut < text.length; cut++) {
        const { out } = run([secret], [text.slice(0, cut), text.slice(cut)]);
        expect(out).toMatch(/^a=\*\*\*;b=\*\*\*[A-Za-z0-9+/=]{0,3}$/);
      }
    });

    it('leaves encodings shorter than six characters alone: they would mask ordinary text', () => {
      expect(maskedForms('abc')).toEqual(['abc']);
      expect(run(['abc'], ['abc YWJj']).out).toBe('*** YWJj');
    });
  });
});
