import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { topics } from '../../src/state/topics.js';
import { collect, sleep } from '../utils/collect.js';
import { silentLogger } from '../../src/logger.js';
import { createRedisClients, waitReady } from '../../src/state/redis/clients.js';
import { Cluster } from 'ioredis';
import { createRedisEngine } from '../../src/state/redis/engine.js';
import { createClusterEngine } from '../../src/state/cluster/engine.js';
import { createClusterClients } from '../../src/state/redis/cluster-clients.js';
import { createStudyCalendar } from '../../src/state/calendar.js';
import { useEngine } from '../utils/contract.js';
import { engineNames, testConfig } from '../utils/engines.js';

const reliability = (overrides: Partial<Config['reliability']>) => ({ reliability: { ...testConfig().reliability, ...overrides } });

describe.each(engineNames)('reliability contract (%s engine)', (engine) => {
  const { setup, defer } = useEngine(engine);

  describe('late and duplicated events', () => {
    it('ignores a CONNECT that arrives after its DISCONNECT (tombstone)', async () => {
      const { service, bus, watch } = await setup();
      const events = await watch(bus.subscribe([topics.presenceUser('u1')]));
      await service.connectSession({ sessionId: 's1', userId: 'u1' });
      await service.disconnectSession('s1');
      const late = await service.connectSession({ sessionId: 's1', userId: 'u1' });
      expect(late).toMatchObject({ changed: false, session: null, connection: { state: 'OFFLINE', sessionCount: 0 } });
      expect((await events.take(2)).map((e) => e.state)).toEqual(['ONLINE', 'OFFLINE']);
      expect(await events.settle(100)).toHaveLength(2);
    });

    it('ignores a CONNECT whose DISCONNECT came first, by another route', async () => {
      const { service } = await setup();
      expect((await service.disconnectSession('s1')).changed).toBe(false);
      expect((await service.connectSession({ sessionId: 's1', userId: 'u1' })).changed).toBe(false);
      expect((await service.connectionStates(['u1']))[0]?.state).toBe('OFFLINE');
      // A new session id is welcome.
      expect((await service.connectSession({ sessionId: 's2', userId: 'u1' })).changed).toBe(true);
    });

    it('forgets tombstones after TOMBSTONE_SECONDS', async () => {
      const { service, clock } = await setup(reliability({ tombstoneSeconds: 1 }));
      await service.disconnectSession('s1');
      clock.advance(1_100);
      if (engine !== 'memory') await sleep(1_100); // Redis expires keys on its own clock
      expect((await service.connectSession({ sessionId: 's1', userId: 'u1' })).changed).toBe(true);
    });

    it('ignores a voice event older than the last one applied for the user', async () => {
      const { service, watch, bus } = await setup();
      const g1 = await watch(bus.subscribe([topics.voiceGuild('g1')]));
      await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1', at: 2_000 });
      // The LEAVE for an earlier stay arrives late: ignored.
      expect(await service.leaveVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1', at: 1_000 })).toMatchObject({ changed: false, type: null });
      expect(await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c0', userId: 'u1', at: 1_500 })).toMatchObject({ changed: false });
      expect(await service.channelStates('g1')).toEqual([{ guildId: 'g1', channelId: 'c1', userIds: ['u1'] }]);
      expect(await service.leaveVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1', at: 2_000 })).toMatchObject({ changed: true, type: 'LEFT' });
      expect((await g1.take(2)).map((e) => [e.type, e.version])).toEqual([['JOINED', 1], ['LEFT', 2]]);
      expect(await g1.settle(100)).toHaveLength(2);
    });

    it('numbers presence events per user and voice events per guild', async () => {
      const { service, bus, watch } = await setup();
      const presence = await watch(bus.subscribe([topics.presenceGuild('g1')]));
      const voice = await watch(bus.subscribe([topics.voiceGuild('g1')]));
      for (const user of ['u1', 'u2']) await service.connectSession({ sessionId: `s-${user}`, userId: user, guildIds: ['g1'] });
      await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
      await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u2' });
      await service.disconnectSession('s-u1');
      expect((await presence.take(3)).map((e) => [e.userId, e.state, e.version])).toEqual([
        ['u1', 'ONLINE', 1],
        ['u2', 'ONLINE', 1],
        ['u1', 'OFFLINE', 2],
      ]);
      expect((await voice.take(3)).map((e) => [e.userId, e.type, e.version])).toEqual([
        ['u1', 'JOINED', 1],
        ['u2', 'JOINED', 2],
        ['u1', 'LEFT', 3],
      ]);
    });
  });

  describe('gateway leases', () => {
    it('asks an unknown node to resync and renews known ones', async () => {
      const { service, clock } = await setup();
      expect(await service.heartbeat('gw-1', 10)).toEqual({ nodeId: 'gw-1', resync: true, expiresAt: clock.now() + 10_000 });
      clock.advance(5_000);
      expect((await service.heartbeat('gw-1', 10)).resync).toBe(false);
      clock.advance(10_001);
      expect((await service.heartbeat('gw-1', 10)).resync).toBe(true); // lapsed
      expect((await service.heartbeat('gw-2')).expiresAt).toBe(clock.now() + 30_000); // NODE_LEASE_SECONDS
    });

    it('lists known nodes soonest expiry first, marking lapsed ones, including nodes known only by a session', async () => {
      const { service, clock } = await setup();
      expect(await service.nodeLeases()).toEqual([]);
      await service.heartbeat('gw-b', 20);
      await service.heartbeat('gw-a', 10);
      await service.connectSession({ sessionId: 's1', userId: 'u1', nodeId: 'gw-c' }); // lease NODE_LEASE_SECONDS
      const t0 = clock.now();
      expect(await service.nodeLeases()).toEqual([
        { nodeId: 'gw-a', expiresAt: t0 + 10_000, resync: false },
        { nodeId: 'gw-b', expiresAt: t0 + 20_000, resync: false },
        { nodeId: 'gw-c', expiresAt: t0 + 30_000, resync: false },
      ]);
      clock.advance(15_000);
      expect((await service.nodeLeases()).map((n) => [n.nodeId, n.resync])).toEqual([
        ['gw-a', true],
        ['gw-b', false],
        ['gw-c', false],
      ]);
    });

    it("reaps a lapsed node's sessions with the usual events, once", async () => {
      const { service, clock, bus, watch } = await setup();
      const presence = await watch(bus.subscribe([topics.presenceUser('u1')]));
      const voice = await watch(bus.subscribe([topics.voiceGuild('g1')]));
      const rooms = await watch(bus.subscribe([topics.allRooms()]));
      await service.heartbeat('gw-1', 10);
      await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: 'r1', nodeId: 'gw-1' });
      await service.connectSession({ sessionId: 's2', userId: 'u2', nodeId: 'gw-1' });
      await service.connectSession({ sessionId: 's3', userId: 'u3' }); // no node: lives on
      await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
      await service.startStudyTimer({ userId: 'u1' });
      clock.advance(9_000);
      expect(await service.maintain()).toMatchObject({ closed: 0, offline: 0 });
      clock.advance(2_000);
      expect(await service.maintain()).toMatchObject({ closed: 2 });
      expect(await service.maintain()).toMatchObject({ closed: 0 });
      expect((await service.connectionStates(['u1', 'u2', 'u3'])).map((c) => c.state)).toEqual(['OFFLINE', 'OFFLINE', 'ONLINE']);
      expect(await service.channelStates('g1')).toEqual([]);
      expect(await service.studyTime('u1')).toMatchObject({ seconds: 11, running: false });
      expect((await presence.take(2)).map((e) => e.state)).toEqual(['ONLINE', 'OFFLINE']);
      expect((await voice.take(2)).map((e) => e.type)).toEqual(['JOINED', 'LEFT']);
      expect((await rooms.take(1))[0]).toMatchObject({ type: 'ROOM_OUT', roomId: 'r1', userId: 'u1' });
    });

    it('starts a node’s lease with its first session, so a node that never heartbeats is reaped', async () => {
      const { service, clock } = await setup(reliability({ nodeLeaseSeconds: 10 }));
      await service.connectSession({ sessionId: 's1', userId: 'u1', nodeId: 'silent' });
      clock.advance(5_000);
      await service.connectSession({ sessionId: 's2', userId: 'u2', nodeId: 'silent' }); // does not extend it
      clock.advance(5_001);
      expect(await service.maintain()).toMatchObject({ closed: 2 });
      expect((await service.heartbeat('silent')).resync).toBe(true);
    });

    it('closes node-less sessions after SESSION_MAX_AGE_SECONDS', async () => {
      const { service, clock } = await setup(reliability({ sessionMaxAgeSeconds: 3600 }));
      await service.connectSession({ sessionId: 's1', userId: 'u1' });
      clock.advance(1_800_000);
      await service.connectSession({ sessionId: 's2', userId: 'u1' });
      clock.advance(1_800_001);
      expect(await service.maintain()).toMatchObject({ closed: 1 });
      expect((await service.connectionStates(['u1']))[0]).toMatchObject({ state: 'ONLINE', sessionCount: 1 });
      expect(await service.session('s2')).not.toBeNull();
    });

    it('replaces a node’s sessions in one step, publishing only real transitions', async () => {
      const { service, bus, watch } = await setup();
      const g1 = await watch(bus.subscribe([topics.presenceGuild('g1')]));
      await service.connectSession({ sessionId: 'a', userId: 'u1', guildIds: ['g1'], nodeId: 'gw-1' });
      await service.connectSession({ sessionId: 'b', userId: 'u2', guildIds: ['g1'], nodeId: 'gw-1' });
      await service.connectSession({ sessionId: 'mine', userId: 'other' });
      await service.disconnectSession('dead');
      const result = await service.syncNodeSessions({
        nodeId: 'gw-1',
        sessions: [
          { sessionId: 'a', userId: 'u1', guildIds: ['g1'] }, // unchanged
          { sessionId: 'c', userId: 'u3', guildIds: ['g1'] }, // new
          { sessionId: 'mine', userId: 'u4' }, // another user's
          { sessionId: 'dead', userId: 'u5' }, // closed before
        ],
      });
      expect(result).toEqual({ nodeId: 'gw-1', opened: 1, closed: 1, unchanged: 1, refused: ['mine', 'dead'] });
      expect((await service.connectionStates(['u1', 'u2', 'u3', 'u4', 'u5'])).map((c) => c.state)).toEqual([
        'ONLINE', 'OFFLINE', 'ONLINE', 'OFFLINE', 'OFFLINE',
      ]);
      expect((await g1.take(4)).map((e) => `${e.userId} ${e.state}`)).toEqual(['u1 ONLINE', 'u2 ONLINE', 'u2 OFFLINE', 'u3 ONLINE']);
      expect(await g1.settle(100)).toHaveLength(4);
      expect((await service.heartbeat('gw-1')).resync).toBe(false); // the sync renewed the lease
    });

    it('refuses bad node input and writes nothing', async () => {
      const { service } = await setup();
      await expect(service.heartbeat('', 10)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      await expect(service.heartbeat('gw', 0)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      await expect(service.heartbeat('gw', 3601)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      await expect(
        service.syncNodeSessions({ nodeId: 'gw', sessions: [{ sessionId: 'a', userId: 'u1' }, { sessionId: 'a', userId: 'u2' }] }),
      ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      await expect(
        service.syncNodeSessions({ nodeId: 'gw', sessions: [{ sessionId: 'a', userId: 'u1' }, { sessionId: 'b', userId: '' }] }),
      ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect((await service.connectionStates(['u1']))[0]?.state).toBe('OFFLINE');
      expect((await service.heartbeat('gw')).resync).toBe(true);
    });
  });

  describe('reconnect grace', () => {
    it('holds OFFLINE back and drops it when the user reconnects in time', async () => {
      const { service, clock, bus, watch } = await setup(reliability({ presenceGraceMs: 5_000 }));
      const events = await watch(bus.subscribe([topics.presenceUser('u1')]));
      const voice = await watch(bus.subscribe([topics.voiceGuild('g1')]));
      await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
      await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
      await service.disconnectSession('s1');
      expect((await service.connectionStates(['u1']))[0]).toMatchObject({ state: 'ONLINE', sessionCount: 0 });
      clock.advance(3_000);
      await service.maintain();
      await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1'] });
      clock.advance(10_000);
      await service.maintain();
      expect((await events.settle(150)).map((e) => e.state)).toEqual(['ONLINE']);
      expect(await voice.settle(0)).toHaveLength(1); // still in voice
      expect(await service.channelStates('g1')).toHaveLength(1);
    });

    it('sends the held-back OFFLINE when the grace period ends, dated when the user left', async () => {
      const { service, clock, bus, watch } = await setup(reliability({ presenceGraceMs: 5_000 }));
      const events = await watch(bus.subscribe([topics.presenceGuild('g1')]));
      await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
      await service.startStudyTimer({ userId: 'u1' });
      clock.advance(60_000);
      const left = clock.now();
      await service.disconnectSession('s1');
      clock.advance(4_000);
      expect(await service.maintain()).toMatchObject({ offline: 0 });
      clock.advance(2_000);
      expect(await service.maintain()).toMatchObject({ offline: 1 });
      const got = await events.take(2);
      expect(got[1]).toMatchObject({ userId: 'u1', state: 'OFFLINE', guildIds: ['g1'], at: left });
      expect((await service.connectionStates(['u1']))[0]).toMatchObject({ state: 'OFFLINE', lastSeenAt: left });
      expect(await service.studyTime('u1')).toMatchObject({ seconds: 60, running: false });
    });
  });

  describe('snapshots', () => {
    it('sends the current presence first, then newer live events only', async () => {
      const { service } = await setup();
      await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
      await service.connectSession({ sessionId: 's2', userId: 'u2', guildIds: ['g1'] });
      await service.disconnectSession('s2');
      const byUsers = collect(await service.presenceChanged({ userIds: ['u1', 'u2', 'u3'], includeSnapshot: true }));
      const byGuild = collect(await service.presenceChanged({ guildId: 'g1', includeSnapshot: true }));
      defer(() => Promise.all([byUsers.close(), byGuild.close()]));
      await service.disconnectSession('s1');
      expect((await byUsers.take(4)).map((e) => `${e.userId} ${e.state} v${e.version} ${e.snapshot}`)).toEqual([
        'u1 ONLINE v1 true',
        'u2 OFFLINE v2 true',
        'u3 OFFLINE v0 true',
        'u1 OFFLINE v2 false',
      ]);
      expect((await byGuild.take(2)).map((e) => `${e.userId} ${e.state} ${e.guildIds} ${e.snapshot}`)).toEqual([
        'u1 ONLINE g1 true',
        'u1 OFFLINE g1 false',
      ]);
    });

    it('sends current voice members as JOINED first, then newer changes', async () => {
      const { service } = await setup();
      await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u2' });
      await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
      const stream = collect(await service.channelStateChanged('g1', true));
      defer(() => stream.close());
      await service.leaveVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u2' });
      expect((await stream.take(3)).map((e) => `${e.type} ${e.channelId} ${e.userId} v${e.version} ${e.snapshot}`)).toEqual([
        'JOINED c1 u1 v2 true',
        'JOINED c2 u2 v2 true',
        'LEFT c2 u2 v3 false',
      ]);
    });
  });

  it.skipIf(engine === 'memory')('lets one holder take the maintenance lock at a time (Redis)', async () => {
    const { config } = await setup();
    const target = config.redis!;
    const clients = target.mode === 'cluster' ? createClusterClients({ target, logger: silentLogger }) : createRedisClients({ target, logger: silentLogger });
    defer(() => clients.close());
    await waitReady(clients.command, 2_000);
    const options = {
      keyPrefix: config.keyPrefix,
      calendar: createStudyCalendar('05:00', 'UTC'),
      presenceRetentionSeconds: 60,
      studyRetentionDays: 1,
      tombstoneSeconds: 60,
      graceMs: 0,
      defaultLeaseMs: 30_000,
    };
    const engineOf = () =>
      clients.command instanceof Cluster ? createClusterEngine({ client: clients.command, ...options }) : createRedisEngine({ client: clients.command, ...options });
    const [a, b] = [engineOf(), engineOf()];
    const token = await a.tryLock('maintenance', 5_000);
    expect(token).not.toBeNull();
    expect(await b.tryLock('maintenance', 5_000)).toBeNull();
    await b.unlock('maintenance', 'not-the-holder');
    expect(await b.tryLock('maintenance', 5_000)).toBeNull();
    await a.unlock('maintenance', token!);
    expect(await b.tryLock('maintenance', 5_000)).not.toBeNull();
  });
});
