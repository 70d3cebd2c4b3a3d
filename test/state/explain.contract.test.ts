import { describe, expect, it } from 'vitest';
import { useEngine } from '../utils/contract.js';
import { engineNames, testConfig } from '../utils/engines.js';

describe.each(engineNames)('presenceExplain contract (%s engine)', (engine) => {
  const { setup } = useEngine(engine);

  it('names the sessions, node leases, voice seat, timer and statuses that keep a user online', async () => {
    const { service, clock } = await setup();
    const t0 = clock.now();
    await service.connectSession({ sessionId: 'e1', userId: 'u1', guildIds: ['g1'], nodeId: 'gw-1', platform: 'DESKTOP' });
    clock.advance(10);
    await service.connectSession({ sessionId: 'e2', userId: 'u1', roomId: 'r1', activity: 'IDLE', platform: 'MOBILE' });
    await service.connectSession({ sessionId: 'e3', userId: 'u1' });
    await service.disconnectSession('e3');
    await service.heartbeat('gw-1', 30);
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    await service.startStudyTimer({ userId: 'u1', roomId: 'r1' });
    const expiresAt = clock.now() + 60_000;
    await service.setUserStatus({ userId: 'u1', status: 'INVISIBLE', customStatus: { text: 'focus', emoji: null, expiresAt } });

    const why = await service.presenceExplain('u1');
    expect(why).toMatchObject({
      userId: 'u1',
      connection: { state: 'ONLINE', status: 'INVISIBLE', sessionCount: 2, platforms: ['DESKTOP', 'MOBILE'] },
      pendingSince: null,
      pendingDueAt: null,
      lastClosed: { sessionId: 'e3', closedAt: clock.now(), tombstoned: true },
      chosenStatus: 'INVISIBLE',
      customStatus: { text: 'focus', emoji: null, expiresAt },
      voice: { guildId: 'g1', channelId: 'c1' },
      studyTimerStartedAt: clock.now(),
    });
    expect(why.sessions).toEqual([
      { sessionId: 'e1', userId: 'u1', guildIds: ['g1'], roomId: null, nodeId: 'gw-1', connectedAt: t0, activity: 'ACTIVE', platform: 'DESKTOP', leaseExpiresAt: clock.now() + 30_000 },
      { sessionId: 'e2', userId: 'u1', guildIds: [], roomId: 'r1', nodeId: null, connectedAt: t0 + 10, activity: 'IDLE', platform: 'MOBILE', leaseExpiresAt: null },
    ]);
  });

  it('shows a held-back OFFLINE with when it falls due, and an unknown user as nothing', async () => {
    const { service, clock } = await setup({ reliability: { ...testConfig().reliability, presenceGraceMs: 5_000 } });
    await service.connectSession({ sessionId: 'p1', userId: 'u1', guildIds: ['g1'] });
    await service.disconnectSession('p1');
    expect(await service.presenceExplain('u1')).toMatchObject({
      connection: { state: 'ONLINE', sessionCount: 0 },
      sessions: [],
      pendingSince: clock.now(),
      pendingDueAt: clock.now() + 5_000,
      lastClosed: { sessionId: 'p1', tombstoned: true },
    });
    expect(await service.presenceExplain('nobody')).toMatchObject({ userId: 'nobody', connection: { state: 'OFFLINE' }, sessions: [], lastClosed: null, chosenStatus: 'ONLINE' });
    await expect(service.presenceExplain('')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
