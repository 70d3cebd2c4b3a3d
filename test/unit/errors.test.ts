import { execute, GraphQLError, GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
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

describe('maskError keeps where an error points, for graphql-jit errors too', () => {
  const User = new GraphQLObjectType({
    name: 'User',
    fields: { name: { type: GraphQLString, resolve: () => Promise.reject(new Error('secret')) } },
  });
  const Query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      user: {
        type: User,
        args: { id: { type: new GraphQLNonNull(GraphQLID) } },
        resolve: (_root, { id }) => (id === 'bad' ? Promise.reject(badInput('id is bad')) : {}),
      },
    },
  });
  const schema = new GraphQLSchema({ query: Query });
  const rootValue = {};
  const documents: Array<[string, Record<string, unknown>]> = [
    ['query {\n  first: user(id: "x") { name }\n    second: user(id: "bad") { name }\n}', {}],
    ['query($id: ID!) { user(id: $id) { name } }', {}],
    ['query($id: ID!) {\n\n      user(id: $id) { name } }', { id: 'bad' }],
  ];

  /** Errors as a client reads them, after masking and after a rebuild from nodes, source and positions (as yoga's HTTP serializer does). */
  const shown = (errors: readonly GraphQLError[] | undefined) =>
    (errors ?? []).map((error) => {
      const masked = maskError(error);
      const rebuilt = new GraphQLError(masked.message, { nodes: masked.nodes, source: masked.source, positions: masked.positions, path: masked.path, extensions: masked.extensions });
      return [masked.toJSON(), rebuilt.toJSON()];
    });

  async function compare(text: string, variables: Record<string, unknown>) {
    const document = parse(text);
    const compiled = compileQuery(schema, document);
    if (!isCompiledQuery(compiled)) throw new Error('did not compile');
    const jit = await compiled.query(rootValue, {}, variables);
    const js = await execute({ schema, document, rootValue, variableValues: variables });
    expect(shown(jit.errors)).toEqual(shown(js.errors));
    return jit.errors ?? [];
  }

  it.each(documents)('as graphql-js does for %j', async (text, variables) => {
    expect(JSON.stringify(shown(await compare(text, variables)))).toContain('"locations"');
  });

  it('for locations far apart, without a source of their product', async () => {
    // One merged field at column 100,002 of line 1 and at line 100,001: a
    // rectangle of blank text around both would be 10^10 characters.
    const text = `{${' '.repeat(100_000)}user(id: "bad") { name }${'\n'.repeat(100_000)}user(id: "bad") { name } }`;
    const [error] = await compare(text, {});
    expect(maskError(error).locations).toEqual([
      { line: 1, column: 100_002 },
      { line: 100_001, column: 1 },
    ]);
    expect(maskError(error).source!.body.length).toBeLessThan(text.length * 2);
    // Errors at one place (a list's items) share one source.
    expect(maskError(error).source).toBe(maskError(error).source);
  });
});
