import { GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { createPreparedOperations } from '../../src/server/prepared-operations.js';

const noContext = () => Promise.reject(new Error('not called'));
const mask = (e: unknown) => (e instanceof GraphQLError ? e : new GraphQLError(String(e)));

describe('prepared operations cache', () => {
  it('prepares a text on its second full run, per operation name, and keeps at most maxEntries', () => {
    const ops = createPreparedOperations(schema, noContext, mask, 2);
    const text = (n: number) => `query Q${n} { __typename }`;
    const remember = (n: number, name?: string) => ops.remember(text(n), name, parse(text(n)));
    remember(1);
    expect(ops.lookup(text(1), undefined)).toBeUndefined();
    remember(1);
    expect(ops.lookup(text(1), undefined)?.document.kind).toBe('Document');
    expect(ops.lookup(text(1), 'Q1')).toBeUndefined(); // another operation name is another entry
    remember(2);
    remember(2);
    remember(3);
    remember(3);
    expect(ops.lookup(text(1), undefined)).toBeUndefined(); // the oldest went out
    expect(ops.lookup(text(3), undefined)).toBeDefined();
  });

  it('answers a refused context with that error alone, masked', async () => {
    const refuse = () => Promise.reject(new GraphQLError('no', { extensions: { code: 'UNAUTHENTICATED' } }));
    const ops = createPreparedOperations(schema, refuse, mask);
    const text = '{ __typename }';
    ops.remember(text, null, parse(text));
    ops.remember(text, null, parse(text));
    const result = await ops.lookup(text, null)!.run({}, null);
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'UNAUTHENTICATED' }]);
    expect(result.data).toBeUndefined();
  });
});
