import { groupChannels, voiceChange } from '../records.js';
import type { GuildPresence, VoiceChange, VoiceChannel, VoiceChannelInput, VoiceStateChange } from '../types.js';
import { guard } from '../redis/context.js';
import type { ClusterContext } from './context.js';

/**
 * Voice on a Redis Cluster: the user step (one channel per user, stale
 * source times ignored) emits voice ops; the guild's step applies them and
 * gives each its version from the guild's own counter.
 */
export function clusterVoice({ client, options, keys, lists, steps, repairDelayMs, userStep }: ClusterContext) {
  const args = (input: VoiceChannelInput, now: number) => [input.userId, input.guildId, input.channelId, now, input.at ?? '', now + repairDelayMs];

  /** The version the guild gave this change: 0 means another applier (a repair, a retry) did, so its current one is the closest answer. */
  async function versionOf(input: VoiceChannelInput, versions: Map<string, number>, changed: boolean) {
    if (!changed) return null;
    const version = versions.get(`g:${input.guildId}`) ?? 0;
    return version > 0 ? version : Number((await client.get(keys.guildVoiceVersion(input.guildId))) ?? 0);
  }

  return {
    joinVoice: (input: VoiceChannelInput, now: number): Promise<VoiceStateChange> =>
      guard(async () => {
        const { reply, versions } = await userStep(input.userId, 3, () => steps.joinVoiceStep(...lists.userOnly(input.userId).keys, ...args(input, now)));
        const [changed, type, previous] = reply as [number, VoiceChange | null, string | null];
        return voiceChange(input, now, changed === 1 ? type : null, previous, await versionOf(input, versions, changed === 1));
      }),

    leaveVoice: (input: VoiceChannelInput, now: number): Promise<VoiceStateChange> =>
      guard(async () => {
        const { reply, versions } = await userStep(input.userId, 1, () =>
          steps.leaveVoiceStep(...lists.userOnly(input.userId).keys, ...args(input, now), options.presenceRetentionSeconds),
        );
        const changed = reply[0] === 1;
        return voiceChange(input, now, changed ? 'LEFT' : null, null, await versionOf(input, versions, changed));
      }),

    /** The guild's voice members and version, read together (one slot: one MULTI). */
    voiceSnapshot: (guildId: string) =>
      guard(async () => {
        const replies = (await client.multi().get(keys.guildVoiceVersion(guildId)).hgetall(keys.guildVoice(guildId)).exec()) ?? [];
        const [[, version], [, members]] = replies as [[unknown, string | null], [unknown, Record<string, string>]];
        return { version: Number(version ?? 0), members: Object.entries(members) };
      }),

    channelStates: (guildId: string): Promise<VoiceChannel[]> =>
      guard(async () => groupChannels(guildId, Object.entries(await client.hgetall(keys.guildVoice(guildId))))),

    /** The guild's two views share its slot: two O(1) counts on its master, sent together. */
    guildPresence: (guildId: string): Promise<GuildPresence> =>
      guard(async () => {
        const [onlineCount, voiceCount] = await Promise.all([client.zcard(keys.guildOnline(guildId)), client.hlen(keys.guildVoice(guildId))]);
        return { guildId, onlineCount, voiceCount };
      }),
  };
}
