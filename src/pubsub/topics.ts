import type { PresenceEvent, RoomEvent, VoiceStateChange } from '../state/types.js';

/**
 * Every pub/sub topic and the payload it carries. Names are relative to the
 * key prefix. The Redis engine's Lua scripts publish to the same names
 * (see `src/state/redis/lua/lib.lua`); the contract tests hold the two together.
 */
export interface TopicPayloads {
  presenceUser: PresenceEvent;
  presenceGuild: PresenceEvent;
  voiceGuild: VoiceStateChange;
  room: RoomEvent;
  allRooms: RoomEvent;
}

export type TopicKind = keyof TopicPayloads;

/** A topic name tagged with the kind of payload it carries. */
export type Topic<K extends TopicKind> = string & { readonly __topic: K };

const named = <K extends TopicKind>(name: string) => name as Topic<K>;

export const topics = {
  /** ONLINE/OFFLINE transitions of one user. */
  presenceUser: (userId: string) => named<'presenceUser'>(`presence:user:${userId}`),
  /** Transitions of users as seen from one guild. */
  presenceGuild: (guildId: string) => named<'presenceGuild'>(`presence:guild:${guildId}`),
  /** Voice joins, moves and leaves in one guild. */
  voiceGuild: (guildId: string) => named<'voiceGuild'>(`voice:guild:${guildId}`),
  /** Control events of one study room. */
  room: (roomId: string) => named<'room'>(`room:${roomId}`),
  /** Control events of every room, in publish order. */
  allRooms: () => named<'allRooms'>('rooms'),
};
