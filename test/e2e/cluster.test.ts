import { describe, expect, it } from 'vitest';
import { engineNames } from '../utils/engines.js';
import { CONNECT, DISCONNECT, JOIN, LEAVE, PRESENCE, STATES, VOICE } from '../utils/operations.js';
import { gql, useServers } from '../utils/server.js';

const redisEngines = engineNames.filter((e) => e !== 'memory');

describe.each(redisEngines)('two instances sharing one store (%s)', (engine) => {
  const { startPair: startBoth, wsClient, subscribe } = useServers();
  const startPair = () => startBoth({}, engine);

  it('delivers to subscribers on B exactly the events caused on A', async () => {
    const [a, b] = await startPair();
    const client = wsClient(b);
    const byUser = await subscribe(b, client, PRESENCE, { userIds: ['u1'] });
    const byGuild = await subscribe(b, client, PRESENCE, { guildId: 'g1' });
    const voice = await subscribe(b, client, VOICE, { guildId: 'g1' });

    await gql(a.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'] } });
    await gql(a.url, CONNECT, { input: { sessionId: 's2', userId: 'u1', guildIds: ['g1'] } }); // no transition
    await gql(a.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'u1' } });
    await gql(a.url, JOIN, { input: { guildId: 'g1', channelId: 'c2', userId: 'u1' } });
    await gql(a.url, JOIN, { input: { guildId: 'g1', channelId: 'c2', userId: 'u1' } }); // retry
    await gql(a.url, DISCONNECT, { sessionId: 's1' });
    await gql(a.url, DISCONNECT, { sessionId: 's2' });

    const states = (r: { data?: any }) => r.data?.presenceChanged.state;
    expect((await byUser.take(2)).map(states)).toEqual(['ONLINE', 'OFFLINE']);
    expect((await byGuild.take(2)).map(states)).toEqual(['ONLINE', 'OFFLINE']);
    expect((await voice.take(3)).map((r) => r.data?.channelStateChanged)).toEqual([
      { changed: true, type: 'JOINED', guildId: 'g1', channelId: 'c1', previousChannelId: null, userId: 'u1' },
      { changed: true, type: 'MOVED', guildId: 'g1', channelId: 'c2', previousChannelId: 'c1', userId: 'u1' },
      { changed: true, type: 'LEFT', guildId: 'g1', channelId: 'c2', previousChannelId: null, userId: 'u1' },
    ]);
    for (const stream of [byUser, byGuild]) expect(await stream.settle(200)).toHaveLength(2);
    expect(await voice.settle(0)).toHaveLength(3);

    // Both instances read the same state.
    for (const server of [a, b]) {
      const read = await gql(server.url, STATES, { userIds: ['u1'], guildId: 'g1' });
      expect(read.data).toMatchObject({ connectionStates: [{ state: 'OFFLINE', sessionCount: 0 }], channelStates: [] });
    }
  });

  it('loses none of 300 concurrent joins of distinct users through both instances', async () => {
    const [a, b] = await startPair();
    const voice = await subscribe(a, wsClient(a), VOICE, { guildId: 'g1' });
    const users = Array.from({ length: 300 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    const results = await Promise.all(
      users.map((userId, i) => gql(i % 2 ? a.url : b.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId } })),
    );
    expect(results.every((r) => r.data?.joinVoiceChannel.changed === true)).toBe(true);
    const read = await gql(b.url, STATES, { userIds: [], guildId: 'g1' });
    expect(read.data?.channelStates).toEqual([{ guildId: 'g1', channelId: 'c1', userIds: users }]);
    expect(new Set((await voice.take(300, 10_000)).map((r) => r.data?.channelStateChanged.userId)).size).toBe(300);

    await Promise.all(users.map((userId, i) => gql(i % 2 ? b.url : a.url, LEAVE, { input: { guildId: 'g1', channelId: 'c1', userId } })));
    expect((await gql(a.url, STATES, { userIds: [], guildId: 'g1' })).data?.channelStates).toEqual([]);
  });

  it('ends 100 concurrent sessions of one user OFFLINE with one ONLINE and one OFFLINE event', async () => {
    const [a, b] = await startPair();
    const events = await subscribe(b, wsClient(b), PRESENCE, { userIds: ['u1'] });
    const guildEvents = await subscribe(a, wsClient(a), PRESENCE, { guildId: 'g1' });
    const sessions = Array.from({ length: 100 }, (_, i) => `s${i}`);
    await Promise.all(
      sessions.map((sessionId, i) => gql(i % 2 ? a.url : b.url, CONNECT, { input: { sessionId, userId: 'u1', guildIds: ['g1'] } })),
    );
    expect((await gql(a.url, STATES, { userIds: ['u1'], guildId: 'g1' })).data?.connectionStates[0].sessionCount).toBe(100);
    await Promise.all(sessions.map((sessionId, i) => gql(i % 2 ? b.url : a.url, DISCONNECT, { sessionId })));

    const read = await gql(b.url, STATES, { userIds: ['u1'], guildId: 'g1' });
    expect(read.data?.connectionStates[0]).toMatchObject({ state: 'OFFLINE', sessionCount: 0 });
    expect((await events.take(2)).map((r) => r.data?.presenceChanged.state)).toEqual(['ONLINE', 'OFFLINE']);
    expect((await guildEvents.take(2)).map((r) => r.data?.presenceChanged.state)).toEqual(['ONLINE', 'OFFLINE']);
    expect(await events.settle(300)).toHaveLength(2);
    expect(await guildEvents.settle(0)).toHaveLength(2);
  });
});
