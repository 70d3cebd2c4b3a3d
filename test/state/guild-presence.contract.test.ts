import { describe, expect, it } from 'vitest';
import { until } from '../utils/collect.js';
import { useEngine } from '../utils/contract.js';
import { engineNames } from '../utils/engines.js';

/** A small deterministic generator, so a failing sequence can be replayed. */
function random(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
}

describe.each(engineNames)('guild presence counts contract (%s engine)', (engine) => {
  const { setup } = useEngine(engine);

  it('counts online members and members in voice, and follows every change', async () => {
    const { service } = await setup();
    expect(await service.guildPresence('empty')).toEqual({ guildId: 'empty', onlineCount: 0, voiceCount: 0 });
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1', 'g2'] });
    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1'] });
    await service.connectSession({ sessionId: 's3', userId: 'u2', guildIds: ['g1'] });
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u2' });
    expect(await service.guildPresence('g1')).toEqual({ guildId: 'g1', onlineCount: 2, voiceCount: 2 });
    expect(await service.guildPresence('g2')).toEqual({ guildId: 'g2', onlineCount: 1, voiceCount: 0 });
    // A move is no new member in voice; a second session no new member online.
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u1' });
    expect((await service.guildPresence('g1')).voiceCount).toBe(2);
    await service.disconnectSession('s1');
    expect(await service.guildPresence('g2')).toEqual({ guildId: 'g2', onlineCount: 0, voiceCount: 0 });
    expect((await service.guildPresence('g1')).onlineCount).toBe(2);
    // The last session closing ends the user's voice too.
    await service.disconnectSession('s2');
    expect(await service.guildPresence('g1')).toEqual({ guildId: 'g1', onlineCount: 1, voiceCount: 1 });
  });

  it('agrees with a recount of the member lists after random sessions, statuses and voice moves', async () => {
    const { service } = await setup();
    const next = random(engine.length * 7919);
    const guilds = ['ga', 'gb', 'gc'];
    const open: string[] = [];
    const invisible = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const userId = `r${next(12)}`;
      const kind = next(5);
      if (kind === 4) {
        const status = (['ONLINE', 'DND', 'INVISIBLE'] as const)[next(3)]!;
        await service.setUserStatus({ userId, status });
        if (status === 'INVISIBLE') invisible.add(userId);
        else invisible.delete(userId);
      } else if (kind === 0 && open.length > 0) {
        await service.disconnectSession(open.splice(next(open.length), 1)[0]!);
      } else if (kind === 1) {
        await service.joinVoiceChannel({ guildId: guilds[next(3)]!, channelId: `c${next(3)}`, userId });
      } else if (kind === 2) {
        await service.leaveVoiceChannel({ guildId: guilds[next(3)]!, channelId: `c${next(3)}`, userId });
      } else {
        const sessionId = `rs${i}`;
        await service.connectSession({ sessionId, userId, guildIds: guilds.filter(() => next(2) === 1) });
        open.push(sessionId);
      }
    }
    for (const guildId of guilds) {
      const online = (await service.connectionStates(Array.from({ length: 12 }, (_, u) => `r${u}`)))
        .filter((c) => c.state === 'ONLINE')
        .map((c) => c.userId);
      const members = new Set<string>();
      for (const sessionId of open) {
        const session = await service.session(sessionId);
        // An invisible member is offline to the guild's view.
        if (session?.guildIds.includes(guildId) && !invisible.has(session.userId)) members.add(session.userId);
      }
      const inVoice = (await service.channelStates(guildId)).reduce((n, c) => n + c.userIds.length, 0);
      expect(await service.guildPresence(guildId), guildId).toEqual({ guildId, onlineCount: members.size, voiceCount: inVoice });
      expect([...members].every((u) => online.includes(u))).toBe(true);
    }
  });

  it('refuses a bad guild id with BAD_USER_INPUT', async () => {
    const { service } = await setup();
    await expect(service.guildPresence('')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(service.guildPresence(42)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe.each(engineNames)('guild presence counts subscription contract (%s engine)', (engine) => {
  const { setup } = useEngine(engine);
  const INTERVAL = 150;

  it('sends the counts now, then at most one event per interval with the latest counts, and nothing while they stay', async () => {
    const { service, watch, bus } = await setup({ guildCountsIntervalMs: INTERVAL });
    await service.connectSession({ sessionId: 'pre', userId: 'u0', guildIds: ['gc'] });
    const before = bus.activeSubscriptions();
    const [one, two] = [await watch(service.guildPresenceChanged('gc')), await watch(service.guildPresenceChanged('gc'))];
    expect(await one.take(1)).toEqual([{ guildId: 'gc', onlineCount: 1, voiceCount: 0 }]);
    expect(await two.take(1)).toEqual([{ guildId: 'gc', onlineCount: 1, voiceCount: 0 }]);
    // Two subscribers of one guild: one bus subscription for both.
    expect(bus.activeSubscriptions() - before).toBe(1);

    const started = Date.now();
    for (let i = 1; i <= 30; i++) await service.connectSession({ sessionId: `burst${i}`, userId: `u${i}`, guildIds: ['gc'] });
    await service.joinVoiceChannel({ guildId: 'gc', channelId: 'c1', userId: 'u1' });
    const elapsed = Date.now() - started;
    const events = await one.settle(INTERVAL * 3);
    // The latest counts arrive, in far fewer events than the 31 changes.
    expect(events.at(-1)).toEqual({ guildId: 'gc', onlineCount: 31, voiceCount: 1 });
    expect(events.length - 1).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL) + 1);
    expect((await two.settle(0)).at(-1)).toEqual({ guildId: 'gc', onlineCount: 31, voiceCount: 1 });

    // A change that leaves the counts as they were (a second session) sends nothing.
    const count = events.length;
    await service.connectSession({ sessionId: 'again', userId: 'u1', guildIds: ['gc'] });
    expect(await one.settle(INTERVAL * 3)).toHaveLength(count);
  });

  it('serves a subscriber that arrives as the last one leaves: it gets a hub of its own, not the closed one', async () => {
    const { service, watch } = await setup({ guildCountsIntervalMs: INTERVAL });
    const first = await service.guildPresenceChanged('gx');
    const [, second] = await Promise.all([first.return!(), watch(service.guildPresenceChanged('gx'))]);
    expect(await second.take(1)).toEqual([{ guildId: 'gx', onlineCount: 0, voiceCount: 0 }]);
    await service.connectSession({ sessionId: 'gx-1', userId: 'gx-u', guildIds: ['gx'] });
    await until(async () => (await second.settle(0)).length === 2, 3_000, 'the change after the hub was replaced');
    expect((await second.settle(0))[1]).toEqual({ guildId: 'gx', onlineCount: 1, voiceCount: 0 });
  });

  it('releases the guild\'s bus subscription when its last subscriber leaves, and refuses a bad guild id', async () => {
    const { service, bus } = await setup({ guildCountsIntervalMs: INTERVAL });
    const before = bus.activeSubscriptions();
    const stream = await service.guildPresenceChanged('gr');
    expect((await stream.next()).value).toEqual({ guildId: 'gr', onlineCount: 0, voiceCount: 0 });
    await stream.return!();
    expect(bus.activeSubscriptions()).toBe(before);
    await expect(service.guildPresenceChanged('')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
