import { describe, expect, it } from 'vitest';
import { CONNECT, JOIN } from '../utils/operations.js';
import { until } from '../utils/collect.js';
import { rawSse } from '../utils/load.js';
import { codeOf, gql, useServers } from '../utils/server.js';
import { authConfig, bearer, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

const GUILD_PRESENCE = 'query ($g: ID!) { guildPresence(guildId: $g) { guildId onlineCount voiceCount } }';
const service = bearer(SERVICE_TOKEN);

describe.each(['redis', 'cluster'] as const)('guildPresence over HTTP, through two instances (%s)', (engine) => {
  const { startPair, wsClient, subscribe } = useServers();

  it('delivers throttled counts over graphql-ws and SSE for changes made on the other instance', async () => {
    const [a, b] = await startPair({ guildCountsIntervalMs: 100 }, engine);
    const query = 'subscription { guildPresenceChanged(guildId: "gw") { guildId onlineCount voiceCount } }';
    const overWs = await subscribe(a, wsClient(a), query);
    expect(await overWs.take(1)).toEqual([{ data: { guildPresenceChanged: { guildId: 'gw', onlineCount: 0, voiceCount: 0 } } }]);
    const sse = rawSse(a.base, query);
    await sse.ready;
    for (let i = 0; i < 10; i++) await gql(b.url, CONNECT, { input: { sessionId: `gw-${i}`, userId: `gw-u${i}`, guildIds: ['gw'] } });
    await gql(b.url, JOIN, { input: { guildId: 'gw', channelId: 'c1', userId: 'gw-u0' } });
    const latest = { data: { guildPresenceChanged: { guildId: 'gw', onlineCount: 10, voiceCount: 1 } } };
    await until(async () => JSON.stringify((await overWs.settle(0)).at(-1)) === JSON.stringify(latest), 5_000, 'the latest counts over graphql-ws');
    // Throttled: far fewer events than the 11 changes.
    expect((await overWs.settle(0)).length).toBeLessThan(11);
    await until(() => sse.lastFrames(1)[0]?.data === JSON.stringify(latest), 5_000, 'the latest counts over SSE');
    sse.close();
  });

  it('answers the counts on either instance, to services and to members of the guild only', async () => {
    const [a, b] = await startPair({ auth: authConfig() }, engine);
    await gql(a.url, CONNECT, { input: { sessionId: 'gp-1', userId: 'alice', guildIds: ['g1'] } }, service);
    await gql(b.url, CONNECT, { input: { sessionId: 'gp-2', userId: 'bob', guildIds: ['g1', 'g2'] } }, service);
    await gql(a.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'bob' } }, service);

    for (const server of [a, b]) {
      expect((await gql(server.url, GUILD_PRESENCE, { g: 'g1' }, service)).data).toEqual({ guildPresence: { guildId: 'g1', onlineCount: 2, voiceCount: 1 } });
    }
    const member = bearer(await userToken({ sub: 'carol', guilds: ['g1'] }));
    expect((await gql(b.url, GUILD_PRESENCE, { g: 'g1' }, member)).data?.guildPresence).toEqual({ guildId: 'g1', onlineCount: 2, voiceCount: 1 });
    expect(codeOf(await gql(b.url, GUILD_PRESENCE, { g: 'g2' }, member))).toBe('FORBIDDEN');
    expect(codeOf(await gql(a.url, GUILD_PRESENCE, { g: '' }, service))).toBe('BAD_USER_INPUT');
  });
});
