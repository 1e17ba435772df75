import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { measureDocument } from './document-limits';
import { ANONYMOUS_BUDGET, SIGNED_IN_BUDGET } from './operation-budget';
import { depthLimitRule } from './query-limits';
import { variableErrors } from './variable-coercion';
import { checkVariables } from './variable-limits';

const schema = buildSchema(`
  type Query { a: Int b(n: Int): Int me: User }
  type User { id: ID friend: User }
  input EnvIn { name: String! value: String! secret: Boolean }
  input JobIn { command: String! env: [EnvIn!] tags: [String!] }
  enum Color { RED GREEN }
  type Mutation { create(input: JobIn!, c: Color, n: Int): Int }
`);

const code = (r: { error?: { extensions: Record<string, unknown> } }) => r.error?.extensions.code;

describe('measureDocument', () => {
  it('accepts an ordinary document and reports its shape', () => {
    const r = measureDocument('query Q { me { id friend { id } } x: a @skip(if: false) ...F } fragment F on Query { b }', SIGNED_IN_BUDGET);
    expect(r.error).toBeUndefined();
    expect(r.shape).toEqual({ tokens: 31, selections: 7, expandedFields: 6, aliases: 1, directives: 1, fragments: 1 });
  });

  it.each([
    ['queryChars', `{ a ${' '.repeat(8_000)} }`],
    ['tokens', `{ ${'a '.repeat(1_001)} }`],
    ['selections', `{ ${'a '.repeat(151)} }`],
    ['aliases', `{ ${Array.from({ length: 11 }, (_, i) => `x${i}: a`).join(' ')} }`],
    ['directives', `{ a ${'@skip(if: false) '.repeat(11)} }`],
    ['fragments', `{ a } ${Array.from({ length: 11 }, (_, i) => `fragment F${i} on Query { a }`).join(' ')}`],
  ])('refuses an anonymous document over its %s limit with QUERY_TOO_COMPLEX, and names the limit', (limit, query) => {
    const r = measureDocument(query, ANONYMOUS_BUDGET);
    expect(code(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.error?.extensions.limit).toBe(limit);
  });

  it('counts fragments once per spread, linearly: a chain of fragments spreading the next 8 times is 8^10 fields', () => {
    const chain = Array.from({ length: 10 }, (_, i) => `fragment F${i} on Query { ${i === 9 ? 'a' : Array.from({ length: 8 }, () => `...F${i + 1}`).join(' ')} }`).join(' ');
    const started = Date.now();
    const r = measureDocument(`{ ...F0 } ${chain}`, SIGNED_IN_BUDGET);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.error?.extensions.limit).toBe('expandedFields');
    expect(r.error?.message).toBe(`query has ${8 ** 9} fields once fragments are expanded; the limit is 5000`);
  });

  it('answers a syntax error as GRAPHQL_PARSE_FAILED', () => {
    expect(code(measureDocument('{ a', SIGNED_IN_BUDGET))).toBe('GRAPHQL_PARSE_FAILED');
    expect(code(measureDocument('\u0000', SIGNED_IN_BUDGET))).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses 200,000 aliases in a few milliseconds (signed-in budget: by length, then by tokens)', () => {
    const aliases = `{ ${Array.from({ length: 200_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    let started = Date.now();
    expect(measureDocument(aliases, SIGNED_IN_BUDGET).error?.extensions.limit).toBe('queryChars');
    expect(Date.now() - started).toBeLessThan(100);
    started = Date.now();
    expect(measureDocument(aliases.slice(0, 99_000) + ' }', { ...SIGNED_IN_BUDGET }).error?.extensions.limit).toBe('tokens');
    expect(Date.now() - started).toBeLessThan(200);
  });
});

describe('checkVariables', () => {
  const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

  it('accepts variables within the budget', () => {
    expect(checkVariables({ i: { command: 'x', env: [{ name: 'A', value: 'b' }] } }, SIGNED_IN_BUDGET)).toBeUndefined();
    expect(checkVariables(undefined, ANONYMOUS_BUDGET)).toBeUndefined();
  });

  it('refuses nesting past the depth limit as BAD_USER_INPUT naming the variable, without recursing (10,000 deep)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const e = checkVariables({ i: deep }, SIGNED_IN_BUDGET);
    expect(e?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'i' });
    expect(e?.message).toBe('Variable "$i" is nested deeper than 10 levels, the limit');
    expect(checkVariables({ i: nested(10) }, SIGNED_IN_BUDGET)).toBeUndefined();
    expect(checkVariables({ i: nested(11) }, SIGNED_IN_BUDGET)).toBeDefined();
  });

  it('refuses too many values and, for anonymous callers, too many characters; never quotes a value or an odd key', () => {
    expect(checkVariables({ l: Array.from({ length: 20_001 }, () => 1) }, SIGNED_IN_BUDGET)?.message).toBe('variables hold more than 20000 values, the limit');
    const e = checkVariables({ 'S3cr3t value!': 'x'.repeat(20_000) }, ANONYMOUS_BUDGET);
    expect(e?.message).toBe('variables hold more than 16384 characters, the limit');
    expect(JSON.stringify(e)).not.toContain('S3cr3t');
  });
});

describe('variableErrors', () => {
  const doc = parse('mutation M($input: JobIn!, $c: Color, $n: Int) { create(input: $input, c: $c, n: $n) }');
  const errs = (vars: Record<string, unknown>) => variableErrors(schema, doc, undefined, vars);
  const SECRET = 'S3cr3t-Value-42';

  it('accepts valid variables', () => {
    expect(errs({ input: { command: 'x', env: [{ name: 'A', value: SECRET, secret: true }] }, c: 'RED', n: 3 })).toEqual([]);
  });

  it('names the variable and the path, never the value', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ input: { command: 'x' }, n: SECRET }, 'n', 'Variable "$n" got an invalid value; expected a value of type "Int".'],
      [{ input: { command: 'x' }, c: SECRET }, 'c', 'Variable "$c" got an invalid value; expected a value of type "Color".'],
      [{ input: { command: 'x', env: [{ value: SECRET, secret: true }] } }, 'input.env[0]', 'Variable "$input" got an invalid value at "input.env[0]"; Field "name" of required type "String!" was not provided.'],
      [{ input: { command: 'x', env: [{ name: 'A', value: 7 }] } }, 'input.env[0].value', 'Variable "$input" got an invalid value at "input.env[0].value"; expected a value of type "String!".'],
      [{ input: { command: 'x', [SECRET]: 1 } }, 'input', 'Variable "$input" got an invalid value; a field is not defined by type "JobIn".'],
      [{ input: SECRET }, 'input', 'Variable "$input" got an invalid value; Expected type "JobIn" to be an object.'],
      [{}, 'input', 'Variable "$input" of required type "JobIn!" was not provided.'],
      [{ input: null }, 'input', 'Variable "$input" of non-null type "JobIn!" must not be null.'],
    ];
    for (const [vars, field, message] of cases) {
      const [e, ...rest] = errs(vars);
      expect(rest).toEqual([]);
      expect(e.message).toBe(message);
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(JSON.stringify({ message: e.message, extensions: e.extensions })).not.toContain(SECRET);
    }
  });

  it('stops at maxErrors and leaves an unknown operation to operation resolution', () => {
    const many = { input: { command: 'x', tags: Array.from({ length: 50 }, () => 1) } };
    expect(variableErrors(schema, doc, undefined, many, 3)).toHaveLength(3);
    expect(variableErrors(schema, doc, 'Nope', { n: 'x' })).toEqual([]);
  });
});

describe('depthLimitRule', () => {
  it('computes each fragment once: a fan-out of 40 spreads over 12 levels validates at once', () => {
    const frags = Array.from({ length: 12 }, (_, i) =>
      `fragment F${i} on User { ${i === 11 ? 'id' : `friend { ${Array.from({ length: 40 }, () => `...F${i + 1}`).join(' ')} }`} }`,
    ).join(' ');
    const started = Date.now();
    const errors = validate(schema, parse(`{ me { ...F0 } } ${frags}`), [depthLimitRule(5)]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    expect(validate(schema, parse('{ me { friend { id } } }'), [...specifiedRules, depthLimitRule(5)])).toEqual([]);
  });
});
