import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ErrorCode, StateError, badInput, maskError } from '../../src/errors.js';

describe('maskError', () => {
  it('passes expected errors through with their code', () => {
    const error = badInput('userId must be 1-128 printable characters');
    expect(maskError(error)).toBe(error);
  });

  it('unwraps an expected error that execution wrapped', () => {
    const wrapped = new GraphQLError('down', { originalError: new StateError(ErrorCode.STATE_UNAVAILABLE, 'down'), path: ['a'] });
    expect(maskError(wrapped)).toMatchObject({ message: 'down', path: ['a'], extensions: { code: 'STATE_UNAVAILABLE' } });
  });

  it('hides everything unexpected behind INTERNAL, message and stack included', () => {
    const leak = new Error('connect ECONNREFUSED 10.0.0.5:6379 password=hunter2');
    for (const error of [leak, new GraphQLError('boom', { originalError: leak }), 'a string', null]) {
      const masked = maskError(error);
      expect(masked.message).toBe('Internal server error');
      expect(masked.extensions).toEqual({ code: 'INTERNAL' });
      expect(JSON.stringify(masked.toJSON())).not.toMatch(/ECONNREFUSED|hunter2|at /);
    }
  });

  it("gives graphql-js's own input errors BAD_USER_INPUT and keeps codes they already carry", () => {
    expect(maskError(new GraphQLError('Variable "$x" of required type "ID!" was not provided.')).extensions.code).toBe('BAD_USER_INPUT');
    const validation = new GraphQLError('Cannot query field', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(maskError(validation).extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
