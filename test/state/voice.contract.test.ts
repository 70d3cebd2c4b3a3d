import { describe, expect, it } from 'vitest';
import { topics } from '../../src/state/topics.js';
import type { VoiceStateChange } from '../../src/state/types.js';
import { useEngine } from '../utils/contract.js';
import { engineNames } from '../utils/engines.js';

describe.each(engineNames)('voice channels contract (%s engine)', (engine) => {
  const engineState = useEngine(engine);
  async function setup() {
    const t = await engineState.setup();
    return { ...t, watch: (guildId: string) => t.watch(t.bus.subscribe([topics.voiceGuild(guildId)])) };
  }
  const brief = (e: VoiceStateChange) => [e.type, e.guildId, e.channelId, e.previousChannelId, e.userId];

  it('joins, moves within a guild as one MOVED change, and leaves', async () => {
    const { service, watch, clock } = await setup();
    const g1 = await watch('g1');
    const joined = await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    expect(joined).toEqual({
      changed: true, type: 'JOINED', guildId: 'g1', channelId: 'c1', previousChannelId: null, userId: 'u1', at: clock.now(), version: 1, snapshot: false,
      position: null,
    });
    const moved = await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u1' });
    expect(brief(moved)).toEqual(['MOVED', 'g1', 'c2', 'c1', 'u1']);
    expect(await service.channelStates('g1')).toEqual([{ guildId: 'g1', channelId: 'c2', userIds: ['u1'] }]);
    const left = await service.leaveVoiceChannel({ guildId: 'g1', channelId: 'c2', userId: 'u1' });
    expect(brief(left)).toEqual(['LEFT', 'g1', 'c2', null, 'u1']);
    expect(await service.channelStates('g1')).toEqual([]);
    expect((await g1.take(3)).map(brief)).toEqual([
      ['JOINED', 'g1', 'c1', null, 'u1'],
      ['MOVED', 'g1', 'c2', 'c1', 'u1'],
      ['LEFT', 'g1', 'c2', null, 'u1'],
    ]);
    expect(await g1.settle(50)).toHaveLength(3);
  });

  it('reports retries and leaving a channel one is not in as changed: false, without events', async () => {
    const { service, watch } = await setup();
    const g1 = await watch('g1');
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    const retry = await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    expect(retry).toMatchObject({ changed: false, type: null });
    expect(await service.leaveVoiceChannel({ guildId: 'g1', channelId: 'other', userId: 'u1' })).toMatchObject({ changed: false, type: null });
    expect(await service.leaveVoiceChannel({ guildId: 'g9', channelId: 'c1', userId: 'nobody' })).toMatchObject({ changed: false });
    expect(await g1.settle(100)).toHaveLength(1);
  });

  it('moves across guilds as LEFT in the old guild and JOINED in the new', async () => {
    const { service, watch } = await setup();
    const g1 = await watch('g1');
    const g2 = await watch('g2');
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    const joined = await service.joinVoiceChannel({ guildId: 'g2', channelId: 'c9', userId: 'u1' });
    expect(brief(joined)).toEqual(['JOINED', 'g2', 'c9', null, 'u1']);
    expect((await g1.take(2)).map(brief)).toEqual([
      ['JOINED', 'g1', 'c1', null, 'u1'],
      ['LEFT', 'g1', 'c1', null, 'u1'],
    ]);
    expect((await g2.take(1)).map(brief)).toEqual([['JOINED', 'g2', 'c9', null, 'u1']]);
    expect(await service.channelStates('g1')).toEqual([]);
  });

  it('lists every channel that has members, sorted', async () => {
    const { service } = await setup();
    for (const [channelId, userId] of [['c2', 'u3'], ['c1', 'u2'], ['c2', 'u1'], ['c1', 'u4']] as const) {
      await service.joinVoiceChannel({ guildId: 'g1', channelId, userId });
    }
    expect(await service.channelStates('g1')).toEqual([
      { guildId: 'g1', channelId: 'c1', userIds: ['u2', 'u4'] },
      { guildId: 'g1', channelId: 'c2', userIds: ['u1', 'u3'] },
    ]);
    expect(await service.channelStates('empty')).toEqual([]);
  });

  it('ends voice membership with a LEFT change when the user goes offline', async () => {
    const { service, watch } = await setup();
    const g1 = await watch('g1');
    await service.connectSession({ sessionId: 's1', userId: 'u1', guildIds: ['g1'] });
    await service.connectSession({ sessionId: 's2', userId: 'u1', guildIds: ['g1'] });
    await service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId: 'u1' });
    await service.disconnectSession('s1');
    expect(await service.channelStates('g1')).toHaveLength(1);
    await service.disconnectSession('s2');
    expect(await service.channelStates('g1')).toEqual([]);
    expect((await g1.take(2)).map(brief)).toEqual([
      ['JOINED', 'g1', 'c1', null, 'u1'],
      ['LEFT', 'g1', 'c1', null, 'u1'],
    ]);
  });

  it('loses no member when many users join one channel at once', async () => {
    const { service } = await setup();
    const users = Array.from({ length: 300 }, (_, i) => `u${String(i).padStart(3, '0')}`);
    await Promise.all(users.map((userId) => service.joinVoiceChannel({ guildId: 'g1', channelId: 'c1', userId })));
    expect(await service.channelStates('g1')).toEqual([{ guildId: 'g1', channelId: 'c1', userIds: users }]);
  });

  it('keeps one channel per user when the same user joins many channels at once', async () => {
    const { service } = await setup();
    const channels = Array.from({ length: 50 }, (_, i) => `c${i}`);
    await Promise.all(channels.map((channelId) => service.joinVoiceChannel({ guildId: 'g1', channelId, userId: 'u1' })));
    const states = await service.channelStates('g1');
    expect(states).toHaveLength(1);
    expect(states[0]?.userIds).toEqual(['u1']);
  });

  it.each([
    ['empty guild', { guildId: '', channelId: 'c1', userId: 'u1' }],
    ['long channel', { guildId: 'g1', channelId: 'c'.repeat(129), userId: 'u1' }],
    ['control char user', { guildId: 'g1', channelId: 'c1', userId: 'u\u0007' }],
  ])('rejects %s as BAD_USER_INPUT and writes nothing', async (_name, input) => {
    const { service } = await setup();
    await expect(service.joinVoiceChannel(input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(service.leaveVoiceChannel(input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(await service.channelStates('g1')).toEqual([]);
  });
});
