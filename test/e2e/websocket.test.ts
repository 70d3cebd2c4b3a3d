import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect } from '../utils/collect.js';
import { CONNECT, DISCONNECT, JOIN, PRESENCE, VOICE } from '../utils/operations.js';
import { gql, useServers } from '../utils/server.js';

describe('subscriptions over graphql-ws', () => {
  const { start, wsClient, subscribe } = useServers();

  it('delivers presence and voice events', async () => {
    const server = await start('memory');
    const client = wsClient(server);
    const presence = await subscribe(server, client, PRESENCE, { userIds: ['u1'] });
    const voice = await subscribe(server, client, VOICE, { guildId: 'g1' });

    await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
    await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'u1' } });
    await gql(server.url, DISCONNECT, { sessionId: 's1' });

    expect((await presence.take(2)).map((r) => r.data?.presenceChanged.state)).toEqual(['ONLINE', 'OFFLINE']);
    expect((await voice.take(2)).map((r) => r.data?.channelStateChanged.type)).toEqual(['JOINED', 'LEFT']);
  });

  it('runs queries and mutations over the socket too', async () => {
    const server = await start('memory');
    const client = wsClient(server);
    const result = await collect(client.iterate({ query: CONNECT, variables: { input: { sessionId: 's1', userId: 'u1' } } })).take(1);
    expect(result[0]?.data).toMatchObject({ connectSession: { changed: true } });
  });

  it.each([
    ['a syntax error', 'subscription { presenceChanged(', 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', 'subscription { nope }', 'GRAPHQL_VALIDATION_FAILED'],
    ['a missing filter', 'subscription { presenceChanged { userId } }', 'BAD_USER_INPUT'],
    ['a bad id', 'subscription { channelStateChanged(guildId: "") { type } }', 'BAD_USER_INPUT'],
  ])('answers %s with an error for that operation only; the socket and its other subscriptions live on', async (_name, query, code) => {
    const server = await start('memory');
    const client = wsClient(server);
    const presence = await subscribe(server, client, PRESENCE, { userIds: ['u1'] });

    // Documents that fail to parse or validate come back as a graphql-ws
    // `error` message; errors raised while subscribing as a result with errors.
    const bad = collect(client.iterate({ query }));
    const errors = await bad.take(1).then(
      (results) => results[0]?.errors,
      (error: unknown) => error as Array<{ extensions?: { code?: string } }>,
    );
    expect(errors?.[0]?.extensions?.code).toBe(code);

    await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
    expect((await presence.take(1))[0]?.data?.presenceChanged.state).toBe('ONLINE');
  });

  it('ends the subscription on the server when the client completes it', async () => {
    const server = await start('memory');
    const client = wsClient(server);
    const presence = await subscribe(server, client, PRESENCE, { userIds: ['u1'] });
    expect(server.app.state.bus.activeSubscriptions()).toBe(1);
    await presence.close();
    for (let i = 0; i < 100 && server.app.state.bus.activeSubscriptions() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.app.state.bus.activeSubscriptions()).toBe(0);
  });

  it('closes sockets with 1001 when the server stops', async () => {
    const server = await start('memory');
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await server.app.stop();
    expect(await closed).toBe(1001);
  });
});
