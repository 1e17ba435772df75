import { GraphQLError } from 'graphql';
import { formatError } from './format-error';
import { queryTooComplex } from './limit-errors';

describe('formatError', () => {
  it('never passes on a variable value graphql-js quoted (the backstop behind the request checks)', () => {
    const e = new GraphQLError('Variable "$i" got invalid value { value: "S3cr3t" } at "i.env[0]"; Field "name" was not provided.', { extensions: { code: 'BAD_USER_INPUT' } });
    const f = formatError(e.toJSON(), e);
    expect(f.message).toBe('Variable "$i" got an invalid value.');
    expect(JSON.stringify(f)).not.toContain('S3cr3t');
  });

  it('drops the http status Apollo answers with, keeps the code and the limit', () => {
    const e = queryTooComplex('query has 99 aliases; the limit is 50', 'aliases', 50);
    expect(formatError(e.toJSON(), e)).toEqual({ message: 'query has 99 aliases; the limit is 50', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 50 } });
  });

  it('keeps a limit rule code that Apollo rewrapped as a validation failure', () => {
    const inner = new GraphQLError('query depth 5 exceeds the limit of 4', { extensions: { code: 'QUERY_TOO_COMPLEX' } });
    const wrapped = new GraphQLError(inner.message, { originalError: inner, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(formatError(wrapped.toJSON(), wrapped).extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});
