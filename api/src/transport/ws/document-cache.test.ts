import { buildSchema, specifiedRules } from 'graphql';
import { DocumentCache } from './document-cache';

const schema = buildSchema('type Query { a: Int b: Int }');

describe('DocumentCache', () => {
  it('returns the same checked document for the same text', () => {
    const cache = new DocumentCache(schema, specifiedRules);
    const first = cache.get('{ a }');
    expect(first.document).toBeDefined();
    expect(cache.get('{ a }')).toBe(first);
  });

  it('keeps parse and validation errors, and answers them again', () => {
    const cache = new DocumentCache(schema, specifiedRules);
    expect(cache.get('{ a').errors?.[0]?.message).toMatch(/Syntax Error/);
    const invalid = cache.get('{ nope }');
    expect(invalid.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    expect(cache.get('{ nope }')).toBe(invalid);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new DocumentCache(schema, specifiedRules, 2);
    const a = cache.get('{ a }');
    cache.get('{ b }');
    cache.get('{ a }'); // a is now the most recent
    cache.get('{ a b }'); // evicts { b }
    expect(cache.size).toBe(2);
    expect(cache.get('{ a }')).toBe(a);
    expect(cache.get('{ b }')).not.toBe(undefined);
  });

  it('does not keep texts past maxQueryLength', () => {
    const cache = new DocumentCache(schema, specifiedRules, 10, 8);
    cache.get('{ a b   }');
    expect(cache.size).toBe(0);
  });
});
