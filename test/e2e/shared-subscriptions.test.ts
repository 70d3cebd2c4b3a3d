import { describe, expect, it } from 'vitest';
import { CONNECT } from '../utils/operations.js';
import { gql, useServers } from '../utils/server.js';
import { engineNames } from '../utils/engines.js';

describe.each(engineNames)('subscriptions sharing one execution per event (%s engine)', (engine) => {
  const { start, wsClient, subscribe } = useServers();

  it('gives each subscriber exactly its own selection and variables, and equal ones the same payload', async () => {
    const server = await start(engine);
    const [one, two] = [wsClient(server), wsClient(server)];
    const narrow = 'subscription($g: ID!) { presenceChanged(guildId: $g) { userId } }';
    const wide = 'subscription($g: ID!) { presenceChanged(guildId: $g) { userId state guildIds version } }';
    const streams = {
      narrowG1: await subscribe(server, one, narrow, { g: 'g1' }),
      narrowG1Again: await subscribe(server, two, narrow, { g: 'g1' }),
      wideG1: await subscribe(server, two, wide, { g: 'g1' }),
      narrowG2: await subscribe(server, one, narrow, { g: 'g2' }),
      aliased: await subscribe(server, one, 'subscription { p: presenceChanged(guildId: "g1") { who: userId } }'),
    };
    await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
    await gql(server.url, CONNECT, { input: { sessionId: 's2', userId: 'u2', guildIds: ['g2'] } });

    expect((await streams.narrowG1.take(1))[0]).toEqual({ data: { presenceChanged: { userId: 'u1' } } });
    expect((await streams.narrowG1Again.take(1))[0]).toEqual({ data: { presenceChanged: { userId: 'u1' } } });
    expect((await streams.wideG1.take(1))[0]).toEqual({
      data: { presenceChanged: { userId: 'u1', state: 'ONLINE', guildIds: ['g1'], version: 1 } },
    });
    expect((await streams.narrowG2.take(1))[0]).toEqual({ data: { presenceChanged: { userId: 'u2' } } });
    expect((await streams.aliased.take(1))[0]).toEqual({ data: { p: { who: 'u1' } } });
    for (const stream of Object.values(streams)) expect(await stream.settle(50)).toHaveLength(1);
  });
});
