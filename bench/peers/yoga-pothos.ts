/** Peer: plain graphql-yoga with a Pothos schema, as the user's stack comes out of the box. */
import { createServer } from 'node:http';
import SchemaBuilder from '@pothos/core';
import { createYoga } from 'graphql-yoga';
import { connect, ready } from './shared.js';

// No plugins (the project's own plugins widen the options type, hence the cast).
const builder = new SchemaBuilder({} as ConstructorParameters<typeof SchemaBuilder>[0]);
const Input = builder.inputType('ConnectSessionInput', {
  fields: (t) => ({ sessionId: t.id({ required: true }), userId: t.id({ required: true }), guildIds: t.idList(), roomId: t.id(), nodeId: t.id() }),
});
const Result = builder.objectRef<{ changed: boolean }>('SessionResult').implement({ fields: (t) => ({ changed: t.exposeBoolean('changed') }) });
builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
builder.mutationType({
  fields: (t) => ({
    connectSession: t.field({
      type: Result,
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: (_root, { input }) => connect({ sessionId: String(input.sessionId), userId: String(input.userId), guildIds: input.guildIds?.map(String) ?? null }),
    }),
  }),
});
const server = createServer(createYoga({ schema: builder.toSchema(), logging: false, graphiql: false }));
server.listen(0, '127.0.0.1', () => ready(server));
