import { describe, expect, it } from 'vitest';
import type { Activity, ChosenStatus, Platform, UserStatus } from '../../src/state/types.js';
import { useEngine } from '../utils/contract.js';
import { engineNames } from '../utils/engines.js';

const viewerIn = (...guildIds: string[]) => ({ userId: 'viewer', guildIds: new Set(guildIds) });

/** The merge rule, row by row: sessions (activity, platform), chosen status → status shown to services, to users, platforms. */
const RULES: Array<{ sessions: Array<[Activity, Platform | null]>; chosen: ChosenStatus; service: UserStatus; users: UserStatus; platforms: Platform[] }> = [
  { sessions: [], chosen: 'ONLINE', service: 'OFFLINE', users: 'OFFLINE', platforms: [] },
  { sessions: [], chosen: 'DND', service: 'OFFLINE', users: 'OFFLINE', platforms: [] },
  { sessions: [['ACTIVE', 'DESKTOP']], chosen: 'ONLINE', service: 'ONLINE', users: 'ONLINE', platforms: ['DESKTOP'] },
  { sessions: [['IDLE', 'MOBILE']], chosen: 'ONLINE', service: 'IDLE', users: 'IDLE', platforms: ['MOBILE'] },
  { sessions: [['IDLE', 'MOBILE'], ['ACTIVE', 'WEB']], chosen: 'ONLINE', service: 'ONLINE', users: 'ONLINE', platforms: ['MOBILE', 'WEB'] },
  { sessions: [['IDLE', 'WEB'], ['IDLE', 'DESKTOP']], chosen: 'ONLINE', service: 'IDLE', users: 'IDLE', platforms: ['DESKTOP', 'WEB'] },
  { sessions: [['ACTIVE', 'DESKTOP']], chosen: 'DND', service: 'DND', users: 'DND', platforms: ['DESKTOP'] },
  { sessions: [['IDLE', 'DESKTOP'], ['IDLE', 'DESKTOP']], chosen: 'DND', service: 'DND', users: 'DND', platforms: ['DESKTOP'] },
  { sessions: [['ACTIVE', 'WEB']], chosen: 'INVISIBLE', service: 'INVISIBLE', users: 'OFFLINE', platforms: ['WEB'] },
  { sessions: [['ACTIVE', null]], chosen: 'ONLINE', service: 'ONLINE', users: 'ONLINE', platforms: [] },
];

describe.each(engineNames)('status contract (%s engine)', (engine) => {
  const { setup } = useEngine(engine);

  it('merges sessions and the chosen status by the rule, row by row', async () => {
    const { service } = await setup();
    for (const [row, rule] of RULES.entries()) {
      const userId = `m${row}`;
      await service.setUserStatus({ userId, status: rule.chosen });
      for (const [i, [activity, platform]] of rule.sessions.entries()) {
        await service.connectSession({ sessionId: `${userId}-${i}`, userId, guildIds: ['g'], activity, platform });
      }
      const [truth] = await service.connectionStates([userId]);
      const [seen] = await service.connectionStates([userId], viewerIn('g'));
      expect({ service: truth!.status, users: seen!.status, platforms: truth!.platforms }, `row ${row}`).toEqual({
        service: rule.service,
        users: rule.users,
        platforms: rule.platforms,
      });
      if (rule.users === 'OFFLINE') expect(seen).toMatchObject({ state: 'OFFLINE', sessionCount: 0, platforms: [], customStatus: null });
    }
  });

  it('keeps the transitions stream as it was and sends status changes to those who ask', async () => {
    const { service, watch } = await setup();
    const transitions = await watch(service.presenceChanged({ guildId: 'g1' }));
    const changes = await watch(service.presenceChanged({ guildId: 'g1', statusChanges: true }));
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'], platform: 'DESKTOP' });
    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1'], platform: 'MOBILE', activity: 'IDLE' });
    await service.setSessionActivity({ sessionId: 's1', activity: 'IDLE' });
    await service.setUserStatus({ userId: 'u1', status: 'DND', customStatus: { text: 'deep work', emoji: '📚' } });
    await service.disconnectSession('s1');
    await service.disconnectSession('s2');

    const seen = await changes.take(6);
    expect(seen.map((e) => [e.state, e.previousState, e.status, e.previousStatus, e.platforms])).toEqual([
      ['ONLINE', 'OFFLINE', 'ONLINE', 'OFFLINE', ['DESKTOP']],
      ['ONLINE', 'ONLINE', 'ONLINE', 'ONLINE', ['DESKTOP', 'MOBILE']],
      ['ONLINE', 'ONLINE', 'IDLE', 'ONLINE', ['DESKTOP', 'MOBILE']],
      ['ONLINE', 'ONLINE', 'DND', 'IDLE', ['DESKTOP', 'MOBILE']],
      ['ONLINE', 'ONLINE', 'DND', 'DND', ['MOBILE']],
      ['OFFLINE', 'ONLINE', 'OFFLINE', 'DND', []],
    ]);
    expect(seen[3]!.customStatus).toEqual({ text: 'deep work', emoji: '📚', expiresAt: null });
    expect(seen[5]!.customStatus).toBeNull();
    // Versions only grow, one per event.
    expect(seen.map((e) => e.version)).toEqual([...seen.map((e) => e.version)].sort((a, b) => a - b));
    // Today's arguments: one event per ONLINE/OFFLINE transition, nothing else.
    expect((await transitions.take(2)).map((e) => e.state)).toEqual(['ONLINE', 'OFFLINE']);
    expect(await transitions.settle(100)).toHaveLength(2);
    expect(await changes.settle(50)).toHaveLength(6);
  });

  it('shows an invisible user as OFFLINE to users and guild views, and the truth to services', async () => {
    const { service, watch, clock } = await setup();
    const guild = await watch(service.presenceChanged({ guildId: 'g1', statusChanges: true }));
    const truth = await watch(service.presenceChanged({ userIds: ['u1'], statusChanges: true }));
    await service.connectSession({ sessionId: 'seen', userId: 'u2', guildIds: ['g1'] });
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'], platform: 'WEB' });
    clock.advance(1_000);
    const wentAt = clock.now();
    const answered = await service.setUserStatus({ userId: 'u1', status: 'INVISIBLE', customStatus: { text: 'hidden', emoji: null } });
    expect(answered).toMatchObject({ state: 'ONLINE', status: 'INVISIBLE', sessionCount: 1, platforms: ['WEB'] });

    // Going invisible is an OFFLINE for the guild, a status change for services.
    expect((await guild.take(3)).slice(1).map((e) => [e.userId, e.state, e.status, e.sessionCount])).toEqual([
      ['u1', 'ONLINE', 'ONLINE', 1],
      ['u1', 'OFFLINE', 'OFFLINE', 0],
    ]);
    expect((await truth.take(2)).map((e) => [e.state, e.previousState, e.status, e.previousStatus])).toEqual([
      ['ONLINE', 'OFFLINE', 'ONLINE', 'OFFLINE'],
      ['ONLINE', 'ONLINE', 'INVISIBLE', 'ONLINE'],
    ]);
    expect(await service.guildPresence('g1')).toEqual({ guildId: 'g1', onlineCount: 1, voiceCount: 0 });
    const [asUser] = await service.connectionStates(['u1'], viewerIn('g1'));
    expect(asUser).toEqual({ userId: 'u1', state: 'OFFLINE', sessionCount: 0, roomId: null, lastSeenAt: wentAt, status: 'OFFLINE', platforms: [], customStatus: null });
    const [asService] = await service.connectionStates(['u1']);
    expect(asService).toMatchObject({ state: 'ONLINE', status: 'INVISIBLE', customStatus: { text: 'hidden', emoji: null, expiresAt: null } });

    // A guild snapshot leaves them out; more sessions while invisible are no transition for anyone watching the guild.
    const snap = await watch(service.presenceChanged({ guildId: 'g1', includeSnapshot: true }));
    expect((await snap.take(1)).map((e) => e.userId)).toEqual(['u2']);
    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1', 'g2'], platform: 'MOBILE' });
    await service.disconnectSession('s2');
    expect(await guild.settle(100)).toHaveLength(3);
    expect(await snap.settle(50)).toHaveLength(1);

    // Coming back: ONLINE for the guild.
    await service.setUserStatus({ userId: 'u1', status: 'ONLINE' });
    const back = await guild.take(4);
    expect([back[3]!.state, back[3]!.previousState, back[3]!.status, back[3]!.customStatus]).toEqual(['ONLINE', 'OFFLINE', 'ONLINE', { text: 'hidden', emoji: null, expiresAt: null }]);
    expect((await service.guildPresence('g1')).onlineCount).toBe(2);
    expect((await service.connectionStates(['u1'], viewerIn('g1')))[0]).toMatchObject({ state: 'ONLINE', status: 'ONLINE', sessionCount: 1 });
  });

  it('connects an invisible user without a transition for viewers, and keeps lastSeenAt from before', async () => {
    const { service, watch, clock } = await setup();
    await service.connectSession({ sessionId: 'early', userId: 'u1', guildIds: ['g1'] });
    await service.disconnectSession('early');
    const lastSeen = clock.now();
    clock.advance(5_000);
    await service.setUserStatus({ userId: 'u1', status: 'INVISIBLE' });
    const guild = await watch(service.presenceChanged({ guildId: 'g1', statusChanges: true }));
    const truth = await watch(service.presenceChanged({ userIds: ['u1'] }));
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    clock.advance(1_000);
    await service.disconnectSession('s1');
    // Services see both transitions; the guild none; users still see the last time they saw the user.
    expect((await truth.take(2)).map((e) => [e.state, e.status])).toEqual([['ONLINE', 'INVISIBLE'], ['OFFLINE', 'OFFLINE']]);
    expect(await guild.settle(100)).toHaveLength(0);
    expect((await service.connectionStates(['u1'], viewerIn('g1')))[0]?.lastSeenAt).toBe(lastSeen);
    expect((await service.connectionStates(['u1']))[0]?.lastSeenAt).toBe(clock.now());
  });

  it('clears a custom status at its expiry, with the test clock, and says so', async () => {
    const { service, watch, clock } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    const changes = await watch(service.presenceChanged({ guildId: 'g1', statusChanges: true }));
    const expiresAt = clock.now() + 60_000;
    await service.setUserStatus({ userId: 'u1', status: 'ONLINE', customStatus: { text: 'back at 3', emoji: null, expiresAt } });
    expect((await changes.take(1))[0]?.customStatus).toEqual({ text: 'back at 3', emoji: null, expiresAt });
    // Changing the status keeps the custom status unless told otherwise.
    await service.setUserStatus({ userId: 'u1', status: 'DND' });
    expect((await changes.take(2))[1]).toMatchObject({ status: 'DND', customStatus: { text: 'back at 3' } });

    clock.advance(60_000);
    // Read as gone at once, though the sweep has not run yet...
    expect((await service.connectionStates(['u1']))[0]?.customStatus).toBeNull();
    await service.maintain();
    // ...and the sweep tells the viewers.
    const cleared = (await changes.take(3))[2]!;
    expect([cleared.state, cleared.previousState, cleared.status, cleared.customStatus]).toEqual(['ONLINE', 'ONLINE', 'DND', null]);
    await service.maintain();
    expect(await changes.settle(100)).toHaveLength(3);
  });

  it('replaces or clears a custom status, and a new one cancels the old expiry', async () => {
    const { service, clock } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1' });
    await service.setUserStatus({ userId: 'u1', status: 'ONLINE', customStatus: { text: 'soon', emoji: null, expiresAt: clock.now() + 1_000 } });
    await service.setUserStatus({ userId: 'u1', status: 'ONLINE', customStatus: { text: null, emoji: '☕', expiresAt: null } });
    clock.advance(2_000);
    await service.maintain();
    expect((await service.connectionStates(['u1']))[0]?.customStatus).toEqual({ text: null, emoji: '☕', expiresAt: null });
    await service.setUserStatus({ userId: 'u1', status: 'ONLINE', customStatus: null });
    expect((await service.connectionStates(['u1']))[0]?.customStatus).toBeNull();
  });

  it('reports activity and platform on the session, and ignores an unknown one', async () => {
    const { service } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1', platform: 'MOBILE' });
    expect(await service.session('s1')).toMatchObject({ activity: 'ACTIVE', platform: 'MOBILE' });
    const idle = await service.setSessionActivity({ sessionId: 's1', activity: 'IDLE' });
    expect(idle).toMatchObject({ changed: true, session: { activity: 'IDLE', platform: 'MOBILE' }, connection: { status: 'IDLE' } });
    expect((await service.setSessionActivity({ sessionId: 's1', activity: 'IDLE' })).changed).toBe(false);
    expect(await service.setSessionActivity({ sessionId: 'nope', activity: 'IDLE' })).toEqual({ changed: false, session: null, connection: null });
    // A reconnect with other flags is an update.
    expect((await service.connectSession({ sessionId: 's1', userId: 'u1', platform: 'MOBILE' })).changed).toBe(true);
    expect((await service.connectionStates(['u1']))[0]?.status).toBe('ONLINE');
  });

  it("takes a node's sessions with their activity and platform on resync, and a changed one is an update", async () => {
    const { service } = await setup();
    const synced = await service.syncNodeSessions({ nodeId: 'gw', sessions: [{ sessionId: 'n1', userId: 'u1', platform: 'WEB', activity: 'IDLE' }] });
    expect(synced).toMatchObject({ opened: 1 });
    expect(await service.session('n1')).toMatchObject({ nodeId: 'gw', activity: 'IDLE', platform: 'WEB' });
    expect((await service.connectionStates(['u1']))[0]).toMatchObject({ status: 'IDLE', platforms: ['WEB'] });
    expect(await service.syncNodeSessions({ nodeId: 'gw', sessions: [{ sessionId: 'n1', userId: 'u1', platform: 'WEB', activity: 'IDLE' }] })).toMatchObject({ unchanged: 1 });
    expect(await service.syncNodeSessions({ nodeId: 'gw', sessions: [{ sessionId: 'n1', userId: 'u1', platform: 'WEB' }] })).toMatchObject({ opened: 1 });
    expect((await service.connectionStates(['u1']))[0]?.status).toBe('ONLINE');
  });

  it('refuses bad status input with BAD_USER_INPUT and changes nothing', async () => {
    const { service, clock } = await setup();
    await service.connectSession({ sessionId: 's1', userId: 'u1' });
    const bad = [
      () => service.setUserStatus({ userId: 'u1', status: 'IDLE' }),
      () => service.setUserStatus({ userId: 'u1', status: 'OFFLINE' }),
      () => service.setUserStatus({ userId: '', status: 'ONLINE' }),
      () => service.setUserStatus({ userId: 'u1', status: 'DND', customStatus: { text: 'x'.repeat(129) } }),
      () => service.setUserStatus({ userId: 'u1', status: 'DND', customStatus: { text: 'two\nlines' } }),
      () => service.setUserStatus({ userId: 'u1', status: 'DND', customStatus: { text: null, emoji: null } }),
      () => service.setUserStatus({ userId: 'u1', status: 'DND', customStatus: { emoji: 'e'.repeat(65) } }),
      () => service.setUserStatus({ userId: 'u1', status: 'DND', customStatus: { text: 'late', expiresAt: clock.now() } }),
      () => service.setSessionActivity({ sessionId: 's1', activity: 'AWAY' }),
      () => service.setSessionActivity({ sessionId: 's1', activity: null }),
      () => service.connectSession({ sessionId: 's2', userId: 'u1', platform: 'TV' }),
      () => service.connectSession({ sessionId: 's2', userId: 'u1', activity: 'ASLEEP' }),
    ];
    for (const [i, call] of bad.entries()) await expect(call(), `case ${i}`).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    // 128 characters (not UTF-16 units) are fine.
    await service.setUserStatus({ userId: 'u1', status: 'ONLINE', customStatus: { text: '📚'.repeat(128) } });
    expect((await service.connectionStates(['u1']))[0]).toMatchObject({ status: 'ONLINE', sessionCount: 1, customStatus: { text: '📚'.repeat(128) } });
  });
});
