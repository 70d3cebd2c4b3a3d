/** Peer: fastify + Mercurius with graphql-jit, the fastest GraphQL server we know of on Node. */
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { connect, typeDefs, type ConnectInput } from './shared.js';

const app = Fastify({ logger: false });
await app.register(mercurius, {
  schema: typeDefs,
  resolvers: { Mutation: { connectSession: (_root: unknown, { input }: { input: ConnectInput }) => connect(input) } },
  jit: 1, // compile each document on its first use
  graphiql: false,
});
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`READY ${(app.server.address() as { port: number }).port}`);
