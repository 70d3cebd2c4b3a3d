import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import type { Context } from '../../src/schema/builder.js';
import { createPreparedOperations } from '../../src/server/prepared-operations.js';
import { createYogaServer } from '../../src/server/yoga.js';
import { createTestState, testConfig } from '../utils/engines.js';

/**
 * What the registry needs from yoga, checked against the installed versions:
 * its plugin sees the request's text as `params.query` in the context, and
 * useGraphQlJit files the compiled document in the shared cache under that
 * same text (envelop's documentStringMap). If an upgrade breaks either,
 * nothing is prepared any more: correct, but every call pays yoga whole.
 */
describe('the prepared-operation registry on yoga', () => {
  const query = 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state } }';

  async function setup() {
    const { state, service } = await createTestState('memory');
    const context = async (): Promise<Context> => ({ state: service, caller: { kind: 'service', name: 'test' } });
    const prepared = createPreparedOperations(context, (e) => e as never);
    const yoga = createYogaServer(testConfig(), context, silentLogger, { prepared, shared: [] });
    return { state, prepared, yoga };
  }

  it('is fed by a query yoga ran over HTTP, compiled once, and prepares nothing for a subscription or several operations', async () => {
    const { state, prepared, yoga } = await setup();
    try {
      const post = (body: object) =>
        yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(prepared.lookup(query, undefined)).toBeUndefined();
      expect((await (await post({ query, variables: { u: ['a'] } })).json()).data).toEqual({ connectionStates: [{ userId: 'a', state: 'OFFLINE' }] });
      const ready = prepared.lookup(query, undefined);
      expect(ready).toBeDefined();
      expect((await ready!.run({}, { u: ['b'] })).data).toEqual({ connectionStates: [{ userId: 'b', state: 'OFFLINE' }] });
      expect(prepared.jitCache.get(query)).toBeDefined();

      const two = 'query A { __typename } query B { connectionStates(userIds: ["c"]) { userId } }';
      expect((await (await post({ query: two, operationName: 'B' })).json()).data).toEqual({ connectionStates: [{ userId: 'c' }] });
      // graphql-jit's cache is blind to operationName: such documents run on graphql-js, unprepared.
      expect((await (await post({ query: two, operationName: 'A' })).json()).data).toEqual({ __typename: 'Query' });
      expect(prepared.lookup(two, 'A')).toBeUndefined();
      expect(prepared.lookup(two, 'B')).toBeUndefined();
    } finally {
      await state.close();
    }
  });

  it('is fed by an operation run through getEnveloped, as the graphql-ws path runs it', async () => {
    const { state, prepared, yoga } = await setup();
    try {
      const params = { query, variables: { u: ['a'] } };
      const enveloped = yoga.getEnveloped({ connectionParams: {}, params });
      const document = enveloped.parse(query);
      expect(enveloped.validate(enveloped.schema, document)).toEqual([]);
      const contextValue = await enveloped.contextFactory();
      await enveloped.execute({ schema: enveloped.schema, document, variableValues: params.variables, contextValue });
      expect(prepared.lookup(query, undefined)).toBeDefined();
    } finally {
      await state.close();
    }
  });
});
