import { createStudyCalendar } from '../../src/state/calendar.js';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClusterKeys, PARTITIONS, partitionOf, partitionTags } from '../../src/state/cluster/keys.js';
import { stepKeys } from '../../src/state/cluster/context.js';
import { createClusterState, type ClusterStateOptions } from '../../src/state/cluster/engine.js';
import type { ClusterClients } from '../../src/state/redis/cluster-clients.js';
import type { ConnectSessionInput, PresenceEvent, VoiceStateChange } from '../../src/state/types.js';
import { sleep, until } from '../utils/collect.js';
import { uniquePrefix } from '../utils/engines.js';
import { openClusterClients } from '../utils/redis-cluster.js';

const seeds = inject('redisClusterNodes');

const connect = (userId: string, sessionId: string, guildIds: string[]): ConnectSessionInput => ({
  userId,
  sessionId,
  guildIds,
  roomId: null,
  nodeId: 'node-a',
});

describe('Cluster layout', () => {
  it('gives partition n a tag in slots [256n, 256n + 255]', () => {
    expect(partitionTags).toHaveLength(PARTITIONS);
    partitionTags.forEach((tag, n) => expect(Math.floor(calculateSlot(tag) / 256)).toBe(n));
  });

  /** Every step's key list (channels included) for one id, as the layout tests check them. */
  const allLists = (lists: ReturnType<typeof stepKeys>, id: string, i: number) => {
    const p = partitionOf(id);
    const days = ['2026-12-01', '2026-12-02'];
    // Users of the same partition, as a partition step gets them.
    const mates = [id, ...Array.from({ length: 200 }, (_, k) => `${id}-${k}`).filter((u) => partitionOf(u) === p)];
    return [
      lists.claim(id),
      lists.user(id, `s-${i}`),
      lists.userOnly(id),
      lists.grace(id),
      lists.status(id),
      lists.guild(id),
      lists.index(id),
      lists.ack(id),
      lists.study(p, days, '2026-11-20'),
      lists.studyUser(id, days, '2026-11-20'),
      lists.partitionUsers(p, mates, days),
      lists.studyPage(p, days[0]!),
      lists.partitionDay(p, days[0]!),
      lists.dayClose(days[0]!),
      lists.room(id, `e-${i}`),
      lists.roomOps(id),
    ].map(({ keys, channels }) => [...keys, ...channels]);
  };
  // Braces too: an id must never pick or break the hash tag.
  const idOf = (i: number) => [`id-${i}-${(i * 7919).toString(36)}`, `}${i}`, `{${i}}x`, `a{${i}`, `{}${i}`][i % 5]!;

  it.skipIf(!seeds)('has a real Cluster agree (CLUSTER KEYSLOT) that each step list is one slot', async () => {
    const [host, port] = (seeds ?? '').split(',')[0]!.split(':');
    const node = new Redis({ host, port: Number(port) });
    try {
      const lists = stepKeys(createClusterKeys('t:'));
      for (let i = 0; i < 20; i++) {
        for (const list of allLists(lists, idOf(i), i)) {
          const slots = await Promise.all(list.map((key) => node.call('CLUSTER', 'KEYSLOT', key) as Promise<number>));
          expect(new Set(slots).size, list.join(' ')).toBe(1);
          expect(slots[0]).toBe(calculateSlot(list[0]!));
        }
      }
    } finally {
      node.disconnect();
    }
  });

  it('builds every step key list, channels included, in one slot', () => {
    const lists = stepKeys(createClusterKeys('t:'));
    for (let i = 0; i < 500; i++) {
      for (const list of allLists(lists, idOf(i), i)) {
        expect(new Set(list.map((key) => calculateSlot(key))).size, list.join(' ')).toBe(1);
      }
    }
  });
});

describe.skipIf(!seeds)('presence steps on a 3-master Redis Cluster', () => {
  const all: ClusterClients[] = [];
  /** Clients that are connected: the command client fails fast rather than queueing. */
  const open = async () => {
    const clients = await openClusterClients(seeds ?? '');
    all.push(clients);
    return clients;
  };
  /** An instance of the steps on its own clients, as a second server would have. */
  const instance = async (prefix: string, extra: Partial<ClusterStateOptions> = {}) =>
    createClusterState({
      client: (await open()).command,
      keyPrefix: prefix,
      presenceRetentionSeconds: 3600,
      studyRetentionDays: 7,
      calendar: createStudyCalendar('00:00', 'UTC'),
      tombstoneSeconds: 60,
      graceMs: 0,
      defaultLeaseMs: 30_000,
      ...extra,
    });
  /** An instance that dies after every user step, before the derived steps. */
  const dyingInstance = (prefix: string) =>
    instance(prefix, {
      afterUserStep: () => {
        throw new Error('instance died');
      },
    });

  let listener: ClusterClients;
  const received = new Map<string, PresenceEvent[]>();
  beforeAll(async () => {
    listener = await open();
    listener.subscriber.on('smessage', (channel: string, message: string) => {
      received.set(channel, [...(received.get(channel) ?? []), JSON.parse(message) as PresenceEvent]);
    });
  });
  afterAll(async () => {
    await Promise.all(all.map((c) => c.close()));
  });
  const listen = (...channels: string[]) => listener.subscriber.ssubscribe(...channels);
  const eventsOn = (channel: string) => (received.get(channel) ?? []).map((e) => `${e.state}:${e.sessionCount}`);

  it('connects and disconnects through claim, user, guild and index steps', async () => {
    const prefix = uniquePrefix();
    const a = await instance(prefix);
    const { channels } = a.keys;
    const guilds = ['g1', 'g2', 'g3', 'g4'];
    for (const g of guilds) await listen(channels.presenceGuild(g));
    await listen(channels.presenceUser('u1'));

    const first = await a.connectSession(connect('u1', 's1', guilds), 1_000);
    expect(first).toMatchObject({ changed: true, connection: { state: 'ONLINE', sessionCount: 1 } });
    for (const g of guilds) expect(await a.guildOnline(g)).toEqual(['u1']);
    // A second session of the same guilds is no transition for anyone.
    expect((await a.connectSession(connect('u1', 's2', guilds), 1_001)).connection?.sessionCount).toBe(2);
    expect((await a.connectSession(connect('u1', 's2', guilds), 1_002)).changed).toBe(false);
    await a.disconnectSession('s1', 2_000);
    const last = await a.disconnectSession('s2', 2_001);
    expect(last).toMatchObject({ changed: true, connection: { state: 'OFFLINE', lastSeenAt: 2_001 } });
    for (const g of guilds) expect(await a.guildOnline(g)).toEqual([]);

    await until(() => guilds.every((g) => eventsOn(channels.presenceGuild(g)).length === 2), 2_000, 'guild events');
    await sleep(100);
    for (const g of guilds) expect(eventsOn(channels.presenceGuild(g))).toEqual(['ONLINE:1', 'OFFLINE:0']);
    expect(eventsOn(channels.presenceUser('u1'))).toEqual(['ONLINE:1', 'OFFLINE:0']);
    // The index entry went with the close, the outbox with the acks, and the tombstone refuses a late connect.
    expect(await a.disconnectSession('s1', 2_002)).toMatchObject({ changed: false });
    expect(await a.connectSession(connect('u1', 's1', guilds), 2_003)).toMatchObject({ changed: false, session: null });
    await until(async () => (await a.repair(10_000)) === 0, 2_000, 'outbox drained');
  });

  it('refuses a session id another user holds, with BAD_USER_INPUT', async () => {
    const a = await instance(uniquePrefix());
    await a.connectSession(connect('u1', 's1', []), 1_000);
    await expect(a.connectSession(connect('u2', 's1', []), 1_001)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it("closes, on a repeated disconnect, a session whose close a failover lost while its index entry went", async () => {
    // What a graceful failover left once (docs/cluster-layout.md): the disconnect's first step and the
    // index's X op applied, the close in the user's partition discarded by the old master's resync.
    const prefix = uniquePrefix();
    const a = await instance(prefix);
    const raw = (await open()).command;
    await a.connectSession(connect('lost1', 'lost1-s', ['lg']), 1_000);
    await raw.hdel(a.keys.sessionIndex('lost1-s'), 'lost1-s');
    await raw.set(a.keys.tombstone('lost1-s'), '=lost1', 'EX', 60);
    const retried = await a.disconnectSession('lost1-s', 2_000);
    expect(retried).toMatchObject({ changed: true, connection: { state: 'OFFLINE', sessionCount: 0 } });
    expect(await a.guildOnline('lg')).toEqual([]);
    // Once more: nothing left to close, and the tombstone still refuses the id.
    expect(await a.disconnectSession('lost1-s', 3_000)).toEqual({ changed: false, session: null, connection: null });
    expect((await a.connectSession(connect('lost1', 'lost1-s', ['lg']), 4_000)).changed).toBe(false);
    // A session never seen here is unknown, and stays so.
    expect(await a.disconnectSession('never-seen', 5_000)).toEqual({ changed: false, session: null, connection: null });
    expect(await a.disconnectSession('never-seen', 5_001)).toEqual({ changed: false, session: null, connection: null });
  });

  it('repairs the guild views after an instance dies between the user step and the guild steps, one event per transition', async () => {
    const prefix = uniquePrefix();
    const dying = await dyingInstance(prefix);
    const b = await instance(prefix);
    const c = await instance(prefix);
    const { channels } = b.keys;
    const guilds = ['crash-1', 'crash-2', 'crash-3'];
    for (const g of guilds) await listen(channels.presenceGuild(g));

    await expect(dying.connectSession(connect('cu', 'cs1', guilds), 1_000)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
    // Committed on the user's side, not yet in any guild view.
    for (const g of guilds) expect(await b.guildOnline(g)).toEqual([]);
    await sleep(50);
    for (const g of guilds) expect(eventsOn(channels.presenceGuild(g))).toEqual([]);
    // The gateway retries on another instance.
    expect((await b.connectSession(connect('cu', 'cs1', guilds), 1_001)).connection).toMatchObject({ state: 'ONLINE' });
    // The retry above found the session as it was (no change) and applied the pending ops on its way.
    for (const g of guilds) expect(await b.guildOnline(g)).toEqual(['cu']);

    await expect(dying.disconnectSession('cs1', 2_000)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
    for (const g of guilds) expect(await b.guildOnline(g)).toEqual(['cu']);
    // Nobody retries this time: two instances' repair passes race for the same outbox.
    const repaired = await Promise.all([b.repair(2_000 + 2_000), c.repair(2_000 + 2_000)]);
    expect(repaired.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(1);
    for (const g of guilds) expect(await b.guildOnline(g)).toEqual([]);
    // A replay of the same outbox changes nothing and publishes nothing.
    await b.repair(10_000);

    await until(() => guilds.every((g) => eventsOn(channels.presenceGuild(g)).length >= 2), 2_000, 'guild events');
    await sleep(150);
    for (const g of guilds) expect(eventsOn(channels.presenceGuild(g))).toEqual(['ONLINE:1', 'OFFLINE:0']);
    // The index entry is gone too: the session is unknown and stays closed.
    expect(await b.disconnectSession('cs1', 3_000)).toMatchObject({ changed: false });
    await until(async () => (await b.repair(20_000)) === 0, 2_000, 'outbox drained');
  });

  it('repairs a batch cut short after its user steps, with one event per transition and user', async () => {
    const prefix = uniquePrefix();
    const dying = await dyingInstance(prefix);
    const [b, c] = [await instance(prefix), await instance(prefix)];
    const { channels } = b.keys;
    const guilds = ['batch-crash-1', 'batch-crash-2'];
    for (const g of guilds) await listen(channels.presenceGuild(g));
    const users = Array.from({ length: 30 }, (_, i) => `bu${i}`);

    await expect(dying.connectSessions(users.map((u) => connect(u, `${u}-s`, guilds)), 1_000)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
    for (const g of guilds) expect(await b.guildOnline(g)).toEqual([]);
    await Promise.all([b.repair(1_000 + 2_000), c.repair(1_000 + 2_000)]);
    for (const g of guilds) expect((await b.guildOnline(g)).sort()).toEqual([...users].sort());

    await expect(dying.disconnectSessions(users.map((u) => `${u}-s`), 2_000)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
    await Promise.all([b.repair(2_000 + 2_000), c.repair(2_000 + 2_000)]);
    for (const g of guilds) expect(await b.guildOnline(g)).toEqual([]);
    await b.repair(10_000);

    await until(() => guilds.every((g) => eventsOn(channels.presenceGuild(g)).length >= 60), 3_000, 'guild events');
    await sleep(150);
    for (const g of guilds) {
      const perUser = new Map<string, string[]>();
      for (const e of received.get(channels.presenceGuild(g)) ?? []) perUser.set(e.userId, [...(perUser.get(e.userId) ?? []), e.state]);
      expect(perUser.size).toBe(30);
      for (const states of perUser.values()) expect(states).toEqual(['ONLINE', 'OFFLINE']);
    }
    // The index entries went with the repair: the sessions are unknown now.
    expect((await b.disconnectSessions([`${users[0]}-s`], 3_000))[0]).toMatchObject({ result: { changed: false } });
  });

  it('keeps one event per transition when two instances flap the same user concurrently', async () => {
    const prefix = uniquePrefix();
    const a = await instance(prefix);
    const b = await instance(prefix);
    const guild = 'flap';
    await listen(a.keys.channels.presenceGuild(guild));
    for (let round = 0; round < 20; round++) {
      const now = 1_000 + round * 10;
      await Promise.all([a.connectSession(connect('fu', `f${round}a`, [guild]), now), b.connectSession(connect('fu', `f${round}b`, [guild]), now)]);
      await Promise.all([a.disconnectSession(`f${round}a`, now + 5), b.disconnectSession(`f${round}b`, now + 5)]);
    }
    await until(() => eventsOn(a.keys.channels.presenceGuild(guild)).length >= 40, 3_000, 'flap events');
    await sleep(150);
    const events = eventsOn(a.keys.channels.presenceGuild(guild)).map((e) => e.split(':')[0]);
    expect(events).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'ONLINE' : 'OFFLINE')));
    expect(await a.guildOnline(guild)).toEqual([]);
  });

  it('reads connectionStates of users of every partition in their order', async () => {
    const a = await instance(uniquePrefix());
    const users = Array.from({ length: 300 }, (_, i) => `cs-${i}`);
    for (const [i, u] of users.entries()) if (i % 3 === 0) await a.connectSession({ ...connect(u, `s-${u}`, ['g']), roomId: i % 2 ? 'r1' : null }, 1_000);
    await a.disconnectSession('s-cs-0', 1_500);
    const { connections, guildIdsOf } = await a.connectionStates(users);
    expect(connections.map((c) => c.userId)).toEqual(users);
    connections.forEach((c, i) => {
      if (i === 0) expect(c).toMatchObject({ state: 'OFFLINE', sessionCount: 0, lastSeenAt: 1_500 });
      else if (i % 3 === 0) expect(c).toMatchObject({ state: 'ONLINE', sessionCount: 1, roomId: i % 2 ? 'r1' : null });
      else expect(c).toMatchObject({ state: 'OFFLINE', sessionCount: 0, lastSeenAt: null });
    });
    expect(guildIdsOf(3)).toEqual(['g']);
  });

  const voiceEvents = (channel: string) =>
    ((received.get(channel) ?? []) as unknown as VoiceStateChange[]).map((e) => `${e.type}:${e.channelId ?? e.previousChannelId}:${e.version}`);

  it('keeps one voice channel per user, with each guild numbering its own changes', async () => {
    const prefix = uniquePrefix();
    const a = await instance(prefix);
    const { channels } = a.keys;
    await listen(channels.voiceGuild('va'));
    await listen(channels.voiceGuild('vb'));
    const voice = (guildId: string, channelId: string, at: number | null = null) => ({ userId: 'vu', guildId, channelId, at });
    await a.connectSession(connect('vu', 'vs', ['va', 'vb']), 1_000);

    expect(await a.joinVoice(voice('va', 'c1'), 1_001)).toMatchObject({ changed: true, type: 'JOINED', version: 1 });
    expect(await a.joinVoice(voice('va', 'c2'), 1_002)).toMatchObject({ changed: true, type: 'MOVED', previousChannelId: 'c1', version: 2 });
    expect(await a.joinVoice(voice('va', 'c2'), 1_003)).toMatchObject({ changed: false, version: null });
    // Another guild: LEFT in the first (its version 3), JOINED in the second (its version 1).
    expect(await a.joinVoice(voice('vb', 'd1', 5_000), 1_004)).toMatchObject({ changed: true, type: 'JOINED', version: 1 });
    expect(await a.channelStates('va')).toEqual([]);
    expect(await a.channelStates('vb')).toEqual([{ guildId: 'vb', channelId: 'd1', userIds: ['vu'] }]);
    // An event the signaling server saw earlier than the last one applied is ignored.
    expect(await a.leaveVoice(voice('vb', 'd1', 4_000), 1_005)).toMatchObject({ changed: false });
    // The last session closing ends the voice membership.
    await a.disconnectSession('vs', 2_000);
    expect(await a.channelStates('vb')).toEqual([]);

    await until(() => voiceEvents(channels.voiceGuild('vb')).length >= 2, 2_000, 'voice events');
    await sleep(100);
    expect(voiceEvents(channels.voiceGuild('va'))).toEqual(['JOINED:c1:1', 'MOVED:c2:2', 'LEFT:c2:3']);
    expect(voiceEvents(channels.voiceGuild('vb'))).toEqual(['JOINED:d1:1', 'LEFT:d1:2']);
  });

  it('gives a voice change its version once when an instance dies before the guild step', async () => {
    const prefix = uniquePrefix();
    const dying = await dyingInstance(prefix);
    const b = await instance(prefix);
    await listen(b.keys.channels.voiceGuild('vc'));
    const voice = { userId: 'wu', guildId: 'vc', channelId: 'c1', at: null };
    await expect(dying.joinVoice(voice, 1_000)).rejects.toMatchObject({ code: 'STATE_UNAVAILABLE' });
    expect(await b.channelStates('vc')).toEqual([]);
    await Promise.all([b.repair(3_000), b.repair(3_000)]);
    expect(await b.channelStates('vc')).toEqual([{ guildId: 'vc', channelId: 'c1', userIds: ['wu'] }]);
    // A retry of the join finds it applied: no change, no second event.
    expect(await b.joinVoice(voice, 1_001)).toMatchObject({ changed: false });
    await until(() => voiceEvents(b.keys.channels.voiceGuild('vc')).length >= 1, 2_000, 'voice event');
    await sleep(100);
    expect(voiceEvents(b.keys.channels.voiceGuild('vc'))).toEqual(['JOINED:c1:1']);
  });

  it("forgets a gone user's seen entry in a guild after seenKeptMs, and a user who comes back is seen again once per transition", async () => {
    const a = await instance(uniquePrefix(), { seenKeptMs: 100 });
    const { channels } = a.keys;
    const guild = 'prune-g';
    await listen(channels.presenceGuild(guild));
    const client = (await open()).command;
    const seen = () => client.hkeys(a.keys.guildSeen(guild));
    await a.connectSession(connect('p1', 'ps1', [guild]), 1_000);
    await a.connectSession(connect('p2', 'ps2', [guild]), 1_000);
    await a.joinVoice({ userId: 'p2', guildId: guild, channelId: 'c1', at: null }, 1_001);
    await a.disconnectSession('ps1', 1_002);
    await a.disconnectSession('ps2', 1_003); // p2 leaves voice too
    expect((await seen()).sort()).toEqual(['p1', 'p2']);
    await sleep(150);
    // The next op in the guild prunes both: neither is online nor in voice.
    await a.connectSession(connect('p3', 'ps3', [guild]), 1_004);
    expect(await seen()).toEqual(['p3']);
    // p1 comes back: one ONLINE, one OFFLINE, as the first time.
    await a.connectSession(connect('p1', 'ps4', [guild]), 1_005);
    await a.disconnectSession('ps4', 1_006);
    const mine = () => (received.get(channels.presenceGuild(guild)) ?? []).filter((e) => e.userId === 'p1').map((e) => e.state);
    await until(() => mine().length >= 4, 2_000, 'p1 events');
    await sleep(50);
    expect(mine()).toEqual(['ONLINE', 'OFFLINE', 'ONLINE', 'OFFLINE']);
    expect(await a.repair(Date.now() + 10_000)).toBe(0);
  });

  it('sends a held-back OFFLINE once its grace ends, dated when the last session closed', async () => {
    const a = await instance(uniquePrefix(), { graceMs: 5_000 });
    const { channels } = a.keys;
    await listen(channels.presenceGuild('grace-g'));
    await a.connectSession(connect('gu', 'gs', ['grace-g']), 500);
    expect((await a.disconnectSession('gs', 1_000)).connection).toMatchObject({ state: 'ONLINE', sessionCount: 0 });
    expect(await a.reap(3_000, 3_600_000)).toEqual({ closed: 0, offline: 0 });
    expect(await a.guildOnline('grace-g')).toEqual(['gu']);
    expect(await a.reap(6_000, 3_600_000)).toEqual({ closed: 0, offline: 1 });
    expect(await a.guildOnline('grace-g')).toEqual([]);
    expect((await a.connectionStates(['gu'])).connections[0]).toMatchObject({ state: 'OFFLINE', lastSeenAt: 1_000 });
    await until(() => eventsOn(channels.presenceGuild('grace-g')).length >= 2, 2_000, 'grace events');
    expect(received.get(channels.presenceGuild('grace-g'))?.map((e) => [e.state, e.at])).toEqual([
      ['ONLINE', 500],
      ['OFFLINE', 1_000],
    ]);
  });

  it("closes a lapsed node's sessions in every partition and forgets the node, and closes node-less sessions past their age", async () => {
    const a = await instance(uniquePrefix());
    const users = Array.from({ length: 40 }, (_, i) => `nu${i}`);
    for (const u of users) await a.connectSession(connect(u, `ns-${u}`, ['ng']), 1_000);
    await a.connectSession({ ...connect('lone', 'lone-s', ['ng']), nodeId: null }, 1_000);
    // The lease of node-a started with its first session: 30 s.
    expect(await a.reap(20_000, 3_600_000)).toEqual({ closed: 0, offline: 0 });
    expect(await a.reap(40_000, 3_600_000)).toEqual({ closed: users.length, offline: 0 });
    expect(await a.guildOnline('ng')).toEqual(['lone']);
    expect((await a.connectionStates(users)).connections.every((c) => c.state === 'OFFLINE')).toBe(true);
    // The next pass finds none of the node's sessions left and forgets it.
    expect(await listener.command.zscore(a.keys.nodes(), 'node-a')).not.toBeNull();
    await a.reap(41_000, 3_600_000);
    expect(await listener.command.zscore(a.keys.nodes(), 'node-a')).toBeNull();
    expect(await a.reap(1_000 + 3_600_001, 3_600_000)).toMatchObject({ closed: 1 });
    expect(await a.guildOnline('ng')).toEqual([]);
  });

  it('reads sessions, voice snapshots and node leases', async () => {
    const a = await instance(uniquePrefix());
    await a.connectSession(connect('ru', 'rs', ['rg']), 1_000);
    expect(await a.getSession('rs')).toEqual({ sessionId: 'rs', userId: 'ru', guildIds: ['rg'], roomId: null, nodeId: 'node-a', connectedAt: 1_000, activity: 'ACTIVE', platform: null });
    expect(await a.getSession('unknown')).toBeNull();
    await a.joinVoice({ userId: 'ru', guildId: 'rg', channelId: 'rc', at: null }, 1_001);
    expect(await a.voiceSnapshot('rg')).toEqual({ version: 1, members: [['ru', 'rc']] });
    expect(await a.nodeLeases(10)).toEqual([{ nodeId: 'node-a', expiresAt: 31_000 }]);
    expect(await a.heartbeat('node-a', 60_000, 2_000)).toEqual({ nodeId: 'node-a', resync: false, expiresAt: 62_000 });
    expect(await a.heartbeat('node-b', 60_000, 2_000)).toMatchObject({ resync: true });
  });

  it('closes at most the budget of sessions in one reap pass, across partitions, and the rest in the next', async () => {
    const a = await instance(uniquePrefix());
    for (let i = 0; i < 15; i++) await a.connectSession(connect(`bu${i}`, `bs${i}`, []), 1_000);
    expect(await a.reap(40_000, 3_600_000, 10)).toEqual({ closed: 10, offline: 0 });
    expect(await a.reap(40_001, 3_600_000, 10)).toEqual({ closed: 5, offline: 0 });
    expect(await a.reap(40_002, 3_600_000, 10)).toEqual({ closed: 0, offline: 0 });
  });
});
