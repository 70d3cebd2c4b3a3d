import { describe, expect, it } from 'vitest';
import { engineNames } from '../utils/engines.js';
import { CONNECT, DISCONNECT, JOIN, LEAVE } from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';

const HEARTBEAT = 'mutation($n: ID!, $t: Int) { heartbeat(nodeId: $n, ttlSeconds: $t) { nodeId resync expiresAt } }';
const SYNC = 'mutation($i: SyncNodeSessionsInput!) { syncNodeSessions(input: $i) { nodeId opened closed unchanged refused } }';

describe.each(engineNames)('gateway reliability over GraphQL (%s engine)', (engine) => {
  const { start, wsClient, subscribe } = useServers();

  it('leases, resyncs and ignores late events through the API', async () => {
    const server = await start(engine);
    const first = await gql(server.url, HEARTBEAT, { n: 'gw-1', t: 30 });
    expect(first.data?.heartbeat).toMatchObject({ nodeId: 'gw-1', resync: true });
    expect(Date.parse(first.data?.heartbeat.expiresAt)).toBeGreaterThan(Date.now());
    const sync = await gql(server.url, SYNC, { i: { nodeId: 'gw-1', sessions: [{ sessionId: 's1', userId: 'u1', guildIds: ['g1'] }] } });
    expect(sync.data?.syncNodeSessions).toEqual({ nodeId: 'gw-1', opened: 1, closed: 0, unchanged: 0, refused: [] });
    expect((await gql(server.url, HEARTBEAT, { n: 'gw-1' })).data?.heartbeat.resync).toBe(false);
    expect(codeOf(await gql(server.url, HEARTBEAT, { n: 'gw-1', t: 0 }))).toBe('BAD_USER_INPUT');

    // A CONNECT after its DISCONNECT is ignored.
    await gql(server.url, DISCONNECT, { sessionId: 's1' });
    expect((await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } })).data?.connectSession).toMatchObject({
      changed: false,
      session: null,
    });

    // Voice events carry a source time; an older one is ignored.
    const join = await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'u2', at: '2026-11-23T10:00:02Z' } });
    expect(join.data?.joinVoiceChannel).toMatchObject({ changed: true, type: 'JOINED' });
    const stale = await gql(server.url, LEAVE, { input: { guildId: 'g1', channelId: 'c1', userId: 'u2', at: '2026-11-23T10:00:01Z' } });
    expect(stale.data?.leaveVoiceChannel).toMatchObject({ changed: false, type: null });
    expect(codeOf(await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'u2', at: 'yesterday' } }))).toBe('BAD_USER_INPUT');
  });

  it('starts subscriptions from a snapshot over graphql-ws', async () => {
    const server = await start(engine);
    await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
    await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'u1' } });
    const client = wsClient(server);
    const presence = await subscribe(
      server,
      client,
      'subscription { presenceChanged(guildId: "g1", includeSnapshot: true) { userId state version snapshot } }',
    );
    const voice = await subscribe(
      server,
      client,
      'subscription { channelStateChanged(guildId: "g1", includeSnapshot: true) { type channelId userId version snapshot } }',
    );
    await gql(server.url, DISCONNECT, { sessionId: 's1' });
    expect((await presence.take(2)).map((r) => r.data?.presenceChanged)).toEqual([
      { userId: 'u1', state: 'ONLINE', version: 1, snapshot: true },
      { userId: 'u1', state: 'OFFLINE', version: 2, snapshot: false },
    ]);
    expect((await voice.take(2)).map((r) => r.data?.channelStateChanged)).toEqual([
      { type: 'JOINED', channelId: 'c1', userId: 'u1', version: 1, snapshot: true },
      { type: 'LEFT', channelId: 'c1', userId: 'u1', version: 2, snapshot: false },
    ]);
  });
});
