import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { maskError } from '../../src/errors.js';
import { createSharedSubscriptions, isStream } from '../../src/server/shared-subscriptions.js';

/** A subscription whose event type has a field that reads the caller: what a per-viewer field would do. */
const Event = new GraphQLObjectType({
  name: 'Event',
  fields: {
    id: { type: GraphQLString },
    viewer: { type: GraphQLString, resolve: (_event, _args, context: { caller?: string }) => context.caller },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      events: {
        type: Event,
        subscribe: async function* () {
          yield { id: 'e1' };
        },
        resolve: (event: unknown) => event,
      },
    },
  }),
});

async function firstPayload(query: string) {
  const shared = createSharedSubscriptions(maskError);
  const args: ExecutionArgs = { schema, document: parse(query), contextValue: { caller: 'alice' } };
  const payloads: string[] = [];
  const ended = new Promise<void>((resolve) => {
    void shared(args, { send: (json) => payloads.push(json), end: () => resolve() }).then((opened) => expect(isStream(opened)).toBe(true));
  });
  await ended;
  return payloads.map((json) => JSON.parse(json) as { data: unknown; errors?: Array<{ message: string; extensions: { code: string } }> });
}

describe('the shared execution context (FANOUT_CONTEXT)', () => {
  it('fails a payload resolver that reads the caller, instead of sending one subscriber\'s view to all', async () => {
    const [payload] = await firstPayload('subscription { events { id viewer } }');
    expect(payload!.data).toEqual({ events: { id: 'e1', viewer: null } });
    expect(payload!.errors?.map((e) => e.extensions.code)).toEqual(['INTERNAL']);
    expect(JSON.stringify(payload)).not.toContain('alice');
  });

  it('leaves payloads that depend on the event alone as they are', async () => {
    expect(await firstPayload('subscription { events { id } }')).toEqual([{ data: { events: { id: 'e1' } } }]);
  });
});
