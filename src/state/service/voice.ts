import { withSnapshot } from '../../pubsub/with-snapshot.js';
import { createGuildCounts } from './guild-counts.js';
import { topics } from '../topics.js';
import { assertId } from '../../validate.js';
import { groupChannels, voiceChange } from '../records.js';
import type { StateService, StateServiceDeps, VoiceArgs } from './contract.js';
import type { VoiceChannelInput } from '../types.js';
import { assertPosition, voiceResync } from '../resume.js';
import { resumeFrom } from './resume.js';

const voiceInput = (input: VoiceArgs): VoiceChannelInput => ({
  guildId: assertId(input.guildId, 'guildId'),
  channelId: assertId(input.channelId, 'channelId'),
  userId: assertId(input.userId, 'userId'),
  at: input.at === null || input.at === undefined ? null : input.at,
});

type VoicePart = Pick<StateService, 'joinVoiceChannel' | 'leaveVoiceChannel' | 'channelStates' | 'guildPresence' | 'guildPresenceChanged' | 'channelStateChanged'>;

/** Voice channels: validation, the clock, one engine call each. */
export function voiceService({ engine, bus, clock, guildCountsIntervalMs = 1_000 }: StateServiceDeps): VoicePart {
  const guildCounts = createGuildCounts(engine, bus, guildCountsIntervalMs);
  return {
    joinVoiceChannel: async (input) => engine.joinVoice(voiceInput(input), clock.now()),
    leaveVoiceChannel: async (input) => engine.leaveVoice(voiceInput(input), clock.now()),
    channelStates: async (guildId) => engine.channelStates(assertId(guildId, 'guildId')),
    guildPresence: async (guildId) => engine.guildPresence(assertId(guildId, 'guildId')),
    guildPresenceChanged: async (guildId) => guildCounts(assertId(guildId, 'guildId')),
    async channelStateChanged(guildId, includeSnapshot, after) {
      const guild = assertId(guildId, 'guildId');
      const position = assertPosition(after, 'after');
      const live = await bus.subscribe([topics.voiceGuild(guild)]);
      if (position !== null) return resumeFrom(live, position, () => engine.voiceLog(guild, position), null, (tail) => voiceResync(guild, clock.now(), tail));
      if (!includeSnapshot) return live;
      try {
        const { version, members } = await engine.voiceSnapshot(guild);
        const now = clock.now();
        const snapshot = groupChannels(guild, members).flatMap((channel) =>
          channel.userIds.map((userId) => ({
            ...voiceChange({ guildId: guild, channelId: channel.channelId, userId }, now, 'JOINED', null, version),
            snapshot: true,
          })),
        );
        return withSnapshot(snapshot, live, (event) => (event.version ?? 0) > version);
      } catch (error) {
        await live.return?.();
        throw error;
      }
    },
  };
}
