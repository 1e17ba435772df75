import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { errorCode, errorMessage, fieldErrors, retryAfterSeconds } from './api-errors';

const gqlError = (message: string, extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions })] });

describe('api errors', () => {
  it('reads the code from extensions', () => {
    expect(errorCode(gqlError('no', { code: 'FORBIDDEN' }))).toBe('FORBIDDEN');
    expect(errorCode(undefined)).toBeUndefined();
  });

  it('maps HTTP 429 and 401 without a GraphQL body to codes', () => {
    const response = { status: 429, headers: new Headers({ 'Retry-After': '12' }) };
    const limited = new CombinedError({ networkError: new Error('Too Many Requests'), response });
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    expect(retryAfterSeconds(limited)).toBe(12);
    expect(errorMessage(limited)).toBe('Too many requests; try again in 12 s.');
    expect(errorCode(new CombinedError({ networkError: new Error('x'), response: { status: 401 } }))).toBe('UNAUTHENTICATED');
  });

  it('prefers the retryAfter extension', () => {
    expect(retryAfterSeconds(gqlError('slow down', { code: 'RATE_LIMITED', retryAfter: 4.2 }))).toBe(5);
  });

  it('puts BAD_USER_INPUT errors on their field, without the input. prefix', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('too high', { extensions: { code: 'BAD_USER_INPUT', field: 'input.priority' } }),
        new GraphQLError('bad name', { extensions: { code: 'BAD_USER_INPUT', field: 'input.env[1].name' } }),
        new GraphQLError('also bad', { extensions: { code: 'BAD_USER_INPUT', field: 'input.priority' } }),
        new GraphQLError('boom', { extensions: { code: 'CONFLICT' } }),
      ],
    });
    expect(fieldErrors(error)).toEqual({
      fields: { priority: 'too high; also bad', 'env[1].name': 'bad name' },
      other: ['boom'],
    });
  });
});
