import { GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { RequestCache } from '@pothos/plugin-scope-auth';
import { builder, type Context } from '../../src/schema/builder.js';
import { createPreparedOperations, unhonoured } from '../../src/server/prepared-operations.js';
import type { InitialContext } from '../../src/server/caller-context.js';
import { compileQuery, type CompiledQuery } from 'graphql-jit';
import { releaseScopeCacheAfterExecute } from '../../src/server/scope-cache.js';
import { createTestState } from '../utils/engines.js';

const noContext = () => Promise.reject(new Error('not called'));
const mask = (e: unknown) => (e instanceof GraphQLError ? e : new GraphQLError(String(e)));

/** A registry whose JIT cache holds these texts compiled, as useGraphQlJit leaves it after a run. */
function registry(texts: string[], createContext: (i: InitialContext) => Promise<Context> = noContext, maxEntries?: number) {
  const ops = createPreparedOperations(createContext, mask, maxEntries);
  for (const text of texts) ops.jitCache.set(text, compileQuery(schema, parse(text)) as CompiledQuery);
  return ops;
}

describe('prepared operations registry', () => {
  it('prepares a text the JIT cache compiled, per operation name, and keeps at most maxEntries', () => {
    const text = (n: number) => `query Q${n} { __typename }`;
    const ops = registry([], noContext, 2);
    const remember = (n: number, name?: string) => {
      ops.jitCache.set(text(n), compileQuery(schema, parse(text(n))) as CompiledQuery);
      ops.remember(text(n), name, parse(text(n)));
    };
    remember(1);
    expect(ops.lookup(text(1), undefined)?.document.kind).toBe('Document');
    expect(ops.lookup(text(1), 'Q1')).toBeUndefined(); // another operation name is another entry
    remember(2);
    remember(3);
    expect(ops.lookup(text(1), undefined)).toBeUndefined(); // the oldest went out
    expect(ops.lookup(text(3), undefined)).toBeDefined();
  });

  it('prepares nothing the JIT cache does not hold (subscriptions, documents left to graphql-js)', () => {
    const ops = registry([]);
    ops.remember('{ __typename }', null, parse('{ __typename }'));
    expect(ops.lookup('{ __typename }', null)).toBeUndefined();
  });

  it('answers a refused context with that error alone, masked', async () => {
    const refuse = () => Promise.reject(new GraphQLError('no', { extensions: { code: 'UNAUTHENTICATED' } }));
    const text = '{ __typename }';
    const ops = registry([text], refuse);
    ops.remember(text, null, parse(text));
    const result = await ops.lookup(text, null)!.run({}, null);
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'UNAUTHENTICATED' }]);
    expect(result.data).toBeUndefined();
  });

  it('turns preparing off for any plugin it was not told is honoured', () => {
    const known = { onExecute() {} };
    const added = { onExecute() {} };
    expect(unhonoured([known], new Map([[known, 'why']]))).toEqual([]);
    expect(unhonoured([known, added], new Map([[known, 'why']]))).toEqual([added]);
  });
});

describe('scope-auth cache release', () => {
  const text = 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state } }';
  /** The prepared operation of a text. */
  const prepare = (query = text) => {
    const ops = registry([query]);
    ops.remember(query, null, parse(query));
    return ops.lookup(query, null)!;
  };

  it('drops the scope cache of a context once its prepared operation is done, and still authorizes', async () => {
    const { state, service } = await createTestState('memory');
    try {
      const user: Context = { state: service, caller: { kind: 'user', userId: 'u1', guildIds: new Set() } };
      const during = RequestCache.fromContext(user, builder);
      const mine = await prepare().execute(user, { u: ['u1'] });
      expect(mine.errors).toBeUndefined();
      expect(mine.data).toEqual({ connectionStates: [{ userId: 'u1', state: 'OFFLINE' }] });
      // The operation ran on the cache made above; a later lookup builds a new one.
      expect(RequestCache.fromContext(user, builder)).not.toBe(during);

      // A second operation on the same context is judged afresh, the same way.
      const again = await prepare().execute(user, { u: ['u1'] });
      expect(again.data).toEqual(mine.data);
    } finally {
      await state.close();
    }
  });

  it('releases after a failed operation too', async () => {
    const { state, service } = await createTestState('memory');
    try {
      const user: Context = { state: service, caller: { kind: 'user', userId: 'u1', guildIds: new Set() } };
      const during = RequestCache.fromContext(user, builder);
      // A field for services only: refused by its scope.
      const refused = await prepare('query($s: ID!) { session(sessionId: $s) { userId } }').execute(user, { s: 's1' });
      expect(refused.errors?.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
      expect(RequestCache.fromContext(user, builder)).not.toBe(during);
    } finally {
      await state.close();
    }
  });

  it('releases after an operation that ran through yoga', () => {
    const context = { caller: { kind: 'service', name: 's' } } as Context;
    const during = RequestCache.fromContext(context, builder);
    const hooks = releaseScopeCacheAfterExecute.onExecute!({ args: { contextValue: context } } as never) as { onExecuteDone: () => void };
    expect(RequestCache.fromContext(context, builder)).toBe(during); // kept while it runs
    hooks.onExecuteDone();
    expect(RequestCache.fromContext(context, builder)).not.toBe(during);
  });
});
