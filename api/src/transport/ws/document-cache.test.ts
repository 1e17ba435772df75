import { buildSchema, specifiedRules } from 'graphql';
import { ANONYMOUS_BUDGET, SIGNED_IN_BUDGET } from '../graphql/operation-budget';
import { DocumentCache } from './document-cache';

const schema = buildSchema('type Query { a: Int b: Int }');
const BUDGET = SIGNED_IN_BUDGET;

describe('DocumentCache', () => {
  it('returns the same checked document for the same text', () => {
    const cache = new DocumentCache(schema, specifiedRules);
    const first = cache.get('{ a }', BUDGET);
    expect(first.document).toBeDefined();
    expect(cache.get('{ a }', BUDGET).document).toBe(first.document);
  });

  it('keeps validation errors and answers them again; parse errors are answered, not kept', () => {
    const cache = new DocumentCache(schema, specifiedRules);
    expect(cache.get('{ a', BUDGET).errors?.[0]?.message).toMatch(/Syntax Error/);
    expect(cache.size).toBe(0);
    const invalid = cache.get('{ nope }', BUDGET);
    expect(invalid.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    expect(cache.get('{ nope }', BUDGET).errors).toBe(invalid.errors);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new DocumentCache(schema, specifiedRules, 2);
    const a = cache.get('{ a }', BUDGET);
    cache.get('{ b }', BUDGET);
    cache.get('{ a }', BUDGET); // a is now the most recent
    cache.get('{ a b }', BUDGET); // evicts { b }
    expect(cache.size).toBe(2);
    expect(cache.get('{ a }', BUDGET).document).toBe(a.document);
    expect(cache.get('{ b }', BUDGET).document).toBeDefined();
  });

  it('does not keep texts past maxQueryLength', () => {
    const cache = new DocumentCache(schema, specifiedRules, 10, 8);
    cache.get('{ a b   }', BUDGET);
    expect(cache.size).toBe(0);
  });

  it('applies each caller budget to a known text: a document one caller may send is refused to a smaller budget', () => {
    const cache = new DocumentCache(schema, specifiedRules);
    const aliased = `{ ${Array.from({ length: 20 }, (_, i) => `x${i}: a`).join(' ')} }`;
    expect(cache.get(aliased, SIGNED_IN_BUDGET).document).toBeDefined();
    const refused = cache.get(aliased, ANONYMOUS_BUDGET);
    expect(refused.errors?.[0]?.extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(refused.errors?.[0]?.message).toBe('query has 20 aliases; the limit is 10');
    // and the other way round: refused first, the larger budget still gets it
    const other = `{ ${Array.from({ length: 20 }, (_, i) => `y${i}: b`).join(' ')} }`;
    expect(cache.get(other, ANONYMOUS_BUDGET).errors?.[0]?.extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(cache.get(other, SIGNED_IN_BUDGET).document).toBeDefined();
  });

  it('refuses a text over the caller maxQueryChars even when it is known', () => {
    const cache = new DocumentCache(schema, specifiedRules, 10, 100_000);
    const long = `{ a ${' '.repeat(ANONYMOUS_BUDGET.maxQueryChars)} }`;
    expect(cache.get(long, SIGNED_IN_BUDGET).document).toBeDefined();
    expect(cache.get(long, ANONYMOUS_BUDGET).errors?.[0]?.extensions.limit).toBe('queryChars');
  });
});
