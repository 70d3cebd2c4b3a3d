import { groupChannels, voiceChange } from '../records.js';
import type { StateEngine } from '../engine.js';
import type { MemoryStore } from './store.js';

/** Voice channels and voice snapshots. */
export function memoryVoice(
  { voice, voiceVersions, guildOnline, retentionMs, liveUser, userFor, publishVoice, endVoice }: MemoryStore,
): Pick<
  StateEngine,
  'joinVoice' | 'leaveVoice' | 'channelStates' | 'guildPresence' | 'voiceSnapshot'
> {
  return {
    async joinVoice(input, now) {
      const user = userFor(input.userId);
      if (input.at !== null && user.voiceAt !== null && input.at < user.voiceAt) return voiceChange(input, now, null);
      if (input.at !== null) user.voiceAt = input.at;
      const current = user.voice;
      if (current?.guildId === input.guildId && current.channelId === input.channelId) return voiceChange(input, now, null);
      if (current?.guildId === input.guildId) {
        voice.get(input.guildId)?.set(input.userId, input.channelId);
        user.voice = { guildId: input.guildId, channelId: input.channelId };
        return publishVoice('MOVED', input.guildId, input.channelId, current.channelId, input.userId, now);
      }
      endVoice(input.userId, user, now);
      let members = voice.get(input.guildId);
      if (!members) voice.set(input.guildId, (members = new Map()));
      members.set(input.userId, input.channelId);
      user.voice = { guildId: input.guildId, channelId: input.channelId };
      user.expiresAt = null;
      return publishVoice('JOINED', input.guildId, input.channelId, null, input.userId, now);
    },

    async leaveVoice(input, now) {
      const user = liveUser(input.userId);
      if (!user) return voiceChange(input, now, null);
      if (input.at !== null && user.voiceAt !== null && input.at < user.voiceAt) return voiceChange(input, now, null);
      if (input.at !== null) user.voiceAt = input.at;
      const current = user.voice;
      if (current?.guildId !== input.guildId || current.channelId !== input.channelId) return voiceChange(input, now, null);
      voice.get(input.guildId)?.delete(input.userId);
      if (voice.get(input.guildId)?.size === 0) voice.delete(input.guildId);
      user.voice = null;
      const change = publishVoice('LEFT', input.guildId, input.channelId, null, input.userId, now);
      if (user.sessions.size === 0 && user.pendingSince === null) user.expiresAt = now + retentionMs;
      return change;
    },

    async channelStates(guildId) {
      return groupChannels(guildId, voice.get(guildId) ?? []);
    },

    async guildPresence(guildId) {
      return { guildId, onlineCount: guildOnline.get(guildId)?.size ?? 0, voiceCount: voice.get(guildId)?.size ?? 0 };
    },

    async voiceSnapshot(guildId) {
      return { version: voiceVersions.get(guildId) ?? 0, members: [...(voice.get(guildId) ?? [])] };
    },

  };
}
