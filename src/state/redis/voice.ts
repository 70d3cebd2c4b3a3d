import { groupChannels, voiceChange } from '../records.js';
import type { VoiceChange, VoiceChannelInput } from '../types.js';
import type { StateEngine } from '../engine.js';
import { guard, type RedisContext } from './context.js';

/** Voice channels and their snapshots. */
export function redisVoice({ client, keyPrefix, keys, retention }: RedisContext): Pick<
  StateEngine,
  'joinVoice' | 'leaveVoice' | 'channelStates' | 'guildPresence' | 'voiceSnapshot'
> {
  // KEYS and ARGV that join-voice.lua and leave-voice.lua share.
  const voiceArgs = (input: VoiceChannelInput, now: number) => [
    keys.user(input.userId),
    keys.voice(input.guildId),
    keyPrefix,
    input.userId,
    input.guildId,
    input.channelId,
    now,
    input.at ?? '',
  ];
  return {
    joinVoice: (input, now) =>
      guard(async () => {
        const [changed, type, previous, version] = (await client.joinVoice(...voiceArgs(input, now))) as [
          number,
          VoiceChange | null,
          string | null,
          number | null,
        ];
        return voiceChange(input, now, changed === 1 ? type : null, previous, version);
      }),

    leaveVoice: (input, now) =>
      guard(async () => {
        const [changed, version] = (await client.leaveVoice(...voiceArgs(input, now), retention)) as [number, number | null];
        return voiceChange(input, now, changed === 1 ? 'LEFT' : null, null, version);
      }),

    channelStates: (guildId) =>
      guard(async () => groupChannels(guildId, Object.entries(await client.hgetall(keys.voice(guildId))))),

    // Two O(1) counts, sent together (one write, one round trip).
    guildPresence: (guildId) =>
      guard(async () => {
        const [onlineCount, voiceCount] = await Promise.all([client.zcard(keys.guildOnline(guildId)), client.hlen(keys.voice(guildId))]);
        return { guildId, onlineCount, voiceCount };
      }),

    voiceSnapshot: (guildId) =>
      guard(async () => {
        const [version, ...flat] = (await client.voiceSnapshot(keys.voice(guildId), keys.voiceVersion(guildId), keyPrefix)) as [
          number,
          ...string[],
        ];
        const members: Array<[string, string]> = [];
        for (let i = 0; i < flat.length; i += 2) members.push([flat[i]!, flat[i + 1]!]);
        return { version: Number(version), members };
      }),

  };
}
