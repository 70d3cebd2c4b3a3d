import { describe, expect, it } from 'vitest';
import type { PresenceEvent, VoiceStateChange } from '../../src/state/types.js';
import { useEngine } from '../utils/contract.js';
import { engineNames } from '../utils/engines.js';

const window = (events: number) => ({ resume: { events, idleMs: 600_000 } });

describe.each(engineNames)('resume contract (%s engine)', (engine) => {
  const { setup, watch } = useEngine(engine);

  it('gives a subscriber that dropped exactly the events it missed, in order, then live ones', async () => {
    const { service } = await setup(window(100));
    const first = await watch(service.presenceChanged({ guildId: 'g1' }));
    await service.connectSession({ sessionId: 'a', userId: 'ua', guildIds: ['g1'] });
    const [seen] = (await first.take(1)) as [PresenceEvent];
    expect(seen.position).toMatch(/^\d+-\d+$/);
    await first.close();

    // While it is away: N transitions, and one other guild's.
    for (let i = 0; i < 12; i++) await service.connectSession({ sessionId: `m${i}`, userId: `um${i}`, guildIds: ['g1'] });
    await service.disconnectSession('a');
    await service.connectSession({ sessionId: 'x', userId: 'ux', guildIds: ['elsewhere'] });

    const resumed = await watch(service.presenceChanged({ guildId: 'g1', after: seen.position }));
    const missed = await resumed.take(13);
    expect(missed.map((e) => [e.userId, e.state])).toEqual([...Array.from({ length: 12 }, (_, i) => [`um${i}`, 'ONLINE']), ['ua', 'OFFLINE']]);
    // Positions only grow.
    const positions = missed.map((e) => e.position!);
    expect(positions.every((p, i) => i === 0 || p !== positions[i - 1])).toBe(true);
    await service.connectSession({ sessionId: 'late', userId: 'ulate', guildIds: ['g1'] });
    expect((await resumed.take(14))[13]).toMatchObject({ userId: 'ulate', state: 'ONLINE' });
    expect(await resumed.settle(100)).toHaveLength(14);

    // From the last position: nothing missed, nothing twice.
    const caughtUp = await watch(service.presenceChanged({ guildId: 'g1', after: (await resumed.settle(0)).at(-1)!.position }));
    expect(await caughtUp.settle(100)).toHaveLength(0);
  });

  it('applies the stream filters to what it replays: userIds and status changes', async () => {
    const { service } = await setup(window(100));
    const first = await watch(service.presenceChanged({ guildId: 'g1', statusChanges: true }));
    await service.connectSession({ sessionId: 's0', userId: 'u0', guildIds: ['g1'] });
    const [seen] = (await first.take(1)) as [PresenceEvent];
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    await service.setUserStatus({ userId: 'u1', status: 'DND' });
    await service.connectSession({ sessionId: 's2', userId: 'u2', guildIds: ['g1'] });
    const narrow = await watch(service.presenceChanged({ guildId: 'g1', userIds: ['u1'], after: seen.position }));
    expect((await narrow.take(1)).map((e) => [e.userId, e.state, e.status])).toEqual([['u1', 'ONLINE', 'ONLINE']]);
    expect(await narrow.settle(100)).toHaveLength(1);
    const withStatus = await watch(service.presenceChanged({ guildId: 'g1', statusChanges: true, after: seen.position }));
    expect((await withStatus.take(3)).map((e) => [e.userId, e.status])).toEqual([['u1', 'ONLINE'], ['u1', 'DND'], ['u2', 'ONLINE']]);
  });

  it('sends one RESYNC event, then live ones, when the missed events are no longer kept', async () => {
    const { service } = await setup(window(5));
    const first = await watch(service.presenceChanged({ guildId: 'g1' }));
    await service.connectSession({ sessionId: 'a', userId: 'ua', guildIds: ['g1'] });
    const [seen] = (await first.take(1)) as [PresenceEvent];
    await first.close();
    // Far more than the log keeps (Redis trims whole nodes of 100 entries: go well past them).
    for (let i = 0; i < 400; i++) await service.connectSession({ sessionId: `m${i}`, userId: `um${i}`, guildIds: ['g1'] });

    const resumed = await watch(service.presenceChanged({ guildId: 'g1', after: seen.position }));
    const [resync] = (await resumed.take(1)) as [PresenceEvent & { resync?: boolean }];
    expect(resync).toMatchObject({ resync: true, userId: '', guildIds: ['g1'], position: expect.stringMatching(/^\d+-\d+$/) });
    await service.connectSession({ sessionId: 'late', userId: 'ulate', guildIds: ['g1'] });
    expect((await resumed.take(2))[1]).toMatchObject({ userId: 'ulate' });
    expect(await resumed.settle(100)).toHaveLength(2);

    // A position from no log of this guild (or its log expired): RESYNC too.
    const stranger = await watch(service.presenceChanged({ guildId: 'quiet', after: '1-0' }));
    expect((await stranger.take(1))[0]).toMatchObject({ resync: true, position: null });
  });

  it('resumes voice streams the same way', async () => {
    const { service } = await setup(window(100));
    const first = await watch(service.channelStateChanged('g1'));
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    const [seen] = (await first.take(1)) as [VoiceStateChange];
    await first.close();
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u1' });
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u2' });
    const resumed = await watch(service.channelStateChanged('g1', false, seen.position));
    expect((await resumed.take(2)).map((e) => [e.type, e.userId, e.version])).toEqual([['MOVED', 'u1', 2], ['JOINED', 'u2', 3]]);
    expect(await resumed.settle(100)).toHaveLength(2);
  });

  it('refuses a malformed position, and a position without a guild, with BAD_USER_INPUT', async () => {
    const { service } = await setup();
    await expect(service.presenceChanged({ guildId: 'g1', after: 'yesterday' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(service.presenceChanged({ userIds: ['u1'], after: '1-0' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(service.channelStateChanged('g1', false, 42)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('keeps no log with RESUME_WINDOW_EVENTS=0: events have no position, and a resume is a RESYNC', async () => {
    const { service } = await setup(window(0));
    const live = await watch(service.presenceChanged({ guildId: 'g1' }));
    await service.connectSession({ sessionId: 'a', userId: 'ua', guildIds: ['g1'] });
    expect((await live.take(1))[0]?.position).toBeNull();
    const resumed = await watch(service.presenceChanged({ guildId: 'g1', after: '1-0' }));
    expect((await resumed.take(1))[0]).toMatchObject({ resync: true });
  });
});
