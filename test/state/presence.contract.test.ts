import { describe, expect, it } from 'vitest';
import { topics } from '../../src/state/topics.js';
import type { PresenceEvent, RoomEvent } from '../../src/state/types.js';
import { sleep } from '../utils/collect.js';
import { useEngine } from '../utils/contract.js';
import { engineNames } from '../utils/engines.js';

describe.each(engineNames)('sessions and presence contract (%s engine)', (engine) => {
  const { setup, watch } = useEngine(engine);

  it('keeps a user online until the last of several sessions closes', async () => {
    const { service, clock } = await setup();
    const first = await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    expect(first.changed).toBe(true);
    expect(first.session).toMatchObject({ sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: null, nodeId: null });
    expect(first.connection).toMatchObject({ state: 'ONLINE', sessionCount: 1, lastSeenAt: null });

    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1'] });
    const closeOne = await service.disconnectSession('s1');
    expect(closeOne.connection).toMatchObject({ state: 'ONLINE', sessionCount: 1 });

    clock.advance(5_000);
    const closeLast = await service.disconnectSession('s2');
    expect(closeLast).toMatchObject({ changed: true, session: { sessionId: 's2', userId: 'u1' } });
    expect(closeLast.connection).toEqual({ userId: 'u1', state: 'OFFLINE', sessionCount: 0, roomId: null, lastSeenAt: clock.now(), status: 'OFFLINE', platforms: [], customStatus: null });
    expect(await service.connectionStates(['u1'])).toEqual([closeLast.connection]);
  });

  it('treats retries as no-ops and says so', async () => {
    const { service } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g2', 'g1'] });
    const retry = await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1', 'g2', 'g1'] });
    expect(retry.changed).toBe(false);
    expect(retry.connection?.sessionCount).toBe(1);
    expect((await service.disconnectSession('s1')).changed).toBe(true);
    expect(await service.disconnectSession('s1')).toEqual({ changed: false, session: null, connection: null });
    expect(await service.disconnectSession('never-seen')).toEqual({ changed: false, session: null, connection: null });
  });

  it('reads sessions and keeps connectedAt when a session is updated', async () => {
    const { service, clock } = await setup();
    const opened = clock.now();
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: 'r1', nodeId: 'gw-1' });
    clock.advance(1_000);
    const updated = await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: 'r2', nodeId: 'gw-1' });
    expect(updated.changed).toBe(true);
    expect(await service.session('s1')).toEqual({
      sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: 'r2', nodeId: 'gw-1', connectedAt: opened, activity: 'ACTIVE', platform: null,
    });
    expect(await service.session('nope')).toBeNull();
  });

  it('refuses a session id that belongs to another user and changes nothing', async () => {
    const { service } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1' });
    await expect(service.connectSession({ sessionId: 's1', userId: 'u2' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(await service.connectionStates(['u1', 'u2'])).toMatchObject([
      { state: 'ONLINE', sessionCount: 1 },
      { state: 'OFFLINE', sessionCount: 0 },
    ]);
  });

  it('answers connectionStates in request order, unknown users OFFLINE, duplicates kept', async () => {
    const { service } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'b' });
    const states = await service.connectionStates(['x', 'b', 'x']);
    expect(states.map((s) => [s.userId, s.state])).toEqual([['x', 'OFFLINE'], ['b', 'ONLINE'], ['x', 'OFFLINE']]);
    expect(await service.connectionStates([])).toEqual([]);
  });

  it('takes the room of the newest session that named one', async () => {
    const { service } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1', roomId: 'r1' });
    await service.connectSession({ sessionId: 's2', userId: 'u1', roomId: 'r2' });
    await service.connectSession({ sessionId: 's3', userId: 'u1' });
    expect((await service.connectionStates(['u1']))[0]?.roomId).toBe('r2');
    await service.disconnectSession('s2');
    expect((await service.connectionStates(['u1']))[0]?.roomId).toBe('r1');
  });

  it('publishes exactly one event per ONLINE/OFFLINE transition of a user', async () => {
    const { service, bus, clock } = await setup();
    const events = await watch(bus.subscribe([topics.presenceUser('u1')]));
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1'] });
    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1'] });
    await service.disconnectSession('s1');
    clock.advance(10);
    await service.disconnectSession('s2');
    await service.disconnectSession('s2');
    const got = await events.take(2);
    expect(got).toEqual<PresenceEvent[]>([
      { userId: 'u1', state: 'ONLINE', previousState: 'OFFLINE', status: 'ONLINE', previousStatus: 'OFFLINE', platforms: [], customStatus: null, sessionCount: 1, guildIds: ['g1'], at: clock.now() - 10, version: 1, snapshot: false, position: null },
      { userId: 'u1', state: 'OFFLINE', previousState: 'ONLINE', status: 'OFFLINE', previousStatus: 'ONLINE', platforms: [], customStatus: null, sessionCount: 0, guildIds: ['g1'], at: clock.now(), version: 2, snapshot: false, position: null },
    ]);
    expect(await events.settle()).toHaveLength(2);
  });

  it('reports presence as seen from each guild', async () => {
    const { service, bus } = await setup();
    const g1 = await watch(bus.subscribe([topics.presenceGuild('g1')]));
    const g2 = await watch(bus.subscribe([topics.presenceGuild('g2')]));
    const user = await watch(bus.subscribe([topics.presenceUser('u1')]));

    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    // A second session adds g2: ONLINE for g2 only; the user was already online.
    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1', 'g2'] });
    // The last session naming g2 closes: OFFLINE for g2 only.
    await service.disconnectSession('s2');
    await service.disconnectSession('s1');

    expect((await g1.take(2)).map((e) => [e.state, e.guildIds])).toEqual([['ONLINE', ['g1']], ['OFFLINE', ['g1']]]);
    expect((await g2.take(2)).map((e) => [e.state, e.previousState, e.sessionCount, e.guildIds])).toEqual([
      ['ONLINE', 'OFFLINE', 2, ['g2']],
      ['OFFLINE', 'ONLINE', 1, ['g2']],
    ]);
    expect((await user.take(2)).map((e) => e.state)).toEqual(['ONLINE', 'OFFLINE']);
    for (const c of [g1, g2, user]) expect(await c.settle(50)).toHaveLength(2);
  });

  it('tells the room server when the last session in a room closes', async () => {
    const { service, bus, clock } = await setup();
    const r1 = await watch(bus.subscribe([topics.room('r1')]));
    const all = await watch(bus.subscribe([topics.allRooms()]));
    await service.connectSession({ sessionId: 's1', userId: 'u1', roomId: 'r1' });
    await service.connectSession({ sessionId: 's2', userId: 'u1', roomId: 'r1' });
    await service.disconnectSession('s1');
    await service.disconnectSession('s2');
    const expected: RoomEvent = { type: 'ROOM_OUT', roomId: 'r1', userId: 'u1', targetUserId: null, alertCount: null, message: null, at: clock.now() };
    expect(await r1.take(1)).toEqual([expected]);
    expect(await all.take(1)).toEqual([expected]);
    expect(await r1.settle(50)).toHaveLength(1);
  });

  it('forgets an offline user after the retention period', async () => {
    const { service, clock } = await setup({ presenceRetentionSeconds: 1 });
    await service.connectSession({ sessionId: 's1', userId: 'u1' });
    await service.disconnectSession('s1');
    expect((await service.connectionStates(['u1']))[0]?.lastSeenAt).toBe(clock.now());
    clock.advance(1_100);
    if (engine !== 'memory') await sleep(1_100); // Redis expires keys on its own clock
    expect(await service.connectionStates(['u1'])).toEqual([
      { userId: 'u1', state: 'OFFLINE', sessionCount: 0, roomId: null, lastSeenAt: null, status: 'OFFLINE', platforms: [], customStatus: null },
    ]);
  });

  it('never loses a session under concurrent connects and disconnects', async () => {
    const { service, bus } = await setup();
    const events = await watch(bus.subscribe([topics.presenceUser('u1')]));
    const ids = Array.from({ length: 100 }, (_, i) => `s${i}`);
    await Promise.all(ids.map((sessionId) => service.connectSession({ sessionId, userId: 'u1', guildIds: ['g1'] })));
    expect((await service.connectionStates(['u1']))[0]?.sessionCount).toBe(100);
    await Promise.all(ids.map((sessionId) => service.disconnectSession(sessionId)));
    expect((await service.connectionStates(['u1']))[0]).toMatchObject({ state: 'OFFLINE', sessionCount: 0 });
    expect((await events.take(2)).map((e) => e.state)).toEqual(['ONLINE', 'OFFLINE']);
    expect(await events.settle()).toHaveLength(2);
  });

  it.each([
    ['empty id', { sessionId: '', userId: 'u1' }],
    ['id of 129 characters', { sessionId: 'x'.repeat(129), userId: 'u1' }],
    ['control character', { sessionId: 's\u0000', userId: 'u1' }],
    ['newline', { sessionId: 's1', userId: 'u\n1' }],
    ['bad guild id', { sessionId: 's1', userId: 'u1', guildIds: ['ok', ''] }],
    ['too many guilds', { sessionId: 's1', userId: 'u1', guildIds: Array.from({ length: 1001 }, (_, i) => `g${i}`) }],
    ['bad room id', { sessionId: 's1', userId: 'u1', roomId: '\u2028' }],
    ['number id', { sessionId: 7, userId: 'u1' }],
  ])('rejects a session with %s as BAD_USER_INPUT and writes nothing', async (_name, input) => {
    const { service } = await setup();
    await expect(service.connectSession(input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await service.connectionStates(['u1'])).toMatchObject([{ state: 'OFFLINE', sessionCount: 0, lastSeenAt: null }]);
  });

  it('accepts ids of 128 characters, unicode and spaces', async () => {
    const { service } = await setup();
    const long = 'é'.repeat(128);
    await service.connectSession({ sessionId: long, userId: '사용자 1', guildIds: ['🎧 guild'] });
    expect(await service.session(long)).toMatchObject({ userId: '사용자 1', guildIds: ['🎧 guild'] });
  });

  it('limits connectionStates to 1000 ids and needs a filter for presence subscriptions', async () => {
    const { service } = await setup();
    const ids = Array.from({ length: 1001 }, (_, i) => `u${i}`);
    await expect(service.connectionStates(ids)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(service.presenceChanged({})).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(service.presenceChanged({ userIds: [] })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('narrows a guild subscription to the given users when both filters are set', async () => {
    const { service } = await setup();
    const events = await watch(service.presenceChanged({ guildId: 'g1', userIds: ['u2'] }));
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    await service.connectSession({ sessionId: 's2', userId: 'u2', guildIds: ['g1'] });
    expect((await events.take(1))[0]?.userId).toBe('u2');
    expect(await events.settle(50)).toHaveLength(1);
  });
});
