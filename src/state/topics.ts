import type { EventBus, Topic } from '../pubsub/event-bus.js';
import { id, render, type Name } from './names.js';
import type { PresenceEvent, RoomEvent, StudyDayClosed, StudyTimeEvent, VoiceStateChange } from './types.js';

/**
 * Every pub/sub topic and the payload it carries. Names are relative to the
 * key prefix. The single-Redis scripts publish to the same names
 * (`src/state/redis/lua/lib/events.lua`), the Cluster's to the sharded
 * channels of `clusterChannelsOf`; the payloads' JSON comes from
 * `src/state/redis/payloads.ts`. The contract tests hold them together.
 */
export interface TopicPayloads {
  presenceUser: PresenceEvent;
  presenceGuild: PresenceEvent;
  voiceGuild: VoiceStateChange;
  room: RoomEvent;
  studyUser: StudyTimeEvent;
  studyDayClosed: StudyDayClosed;
}

export type TopicKind = keyof TopicPayloads;

/** The bus the state layer publishes on and subscribes to. */
export type StateBus = EventBus<TopicPayloads>;

const topic = <K extends TopicKind>(kind: K, name: string, id: string, pattern = false): Topic<K> => ({ kind, name, id, pattern });

/** Channel names (relative to the key prefix), written once: the single-Redis scripts' builders are generated from them. */
export const channelNames = {
  presenceUser: { lua: 'presence_user_channel', pieces: ['presence:user:', id(0)], channel: true },
  presenceGuild: { lua: 'presence_guild_channel', pieces: ['presence:guild:', id(0)], channel: true },
  voiceGuild: { lua: 'voice_guild_channel', pieces: ['voice:guild:', id(0)], channel: true },
  room: { lua: 'room_channel', pieces: ['room:', id(0)], channel: true },
  studyUser: { lua: 'study_user_channel', pieces: ['study:user:', id(0)], channel: true },
  studyDayClosed: { lua: 'DAY_CLOSED_CHANNEL', pieces: ['study:day-closed'], channel: true },
} as const satisfies Record<TopicKind, Name>;
const named = <K extends TopicKind>(kind: K, entity = '') => topic(kind, render(channelNames[kind], [entity]), entity);

export const topics = {
  /** ONLINE/OFFLINE transitions of one user. */
  presenceUser: (userId: string) => named('presenceUser', userId),
  /** Transitions of users as seen from one guild. */
  presenceGuild: (guildId: string) => named('presenceGuild', guildId),
  /** Voice joins, moves and leaves in one guild. */
  voiceGuild: (guildId: string) => named('voiceGuild', guildId),
  /** Control events of one study room. */
  room: (roomId: string) => named('room', roomId),
  /** Control events of every room: one pattern subscription, so each event is published once. */
  allRooms: () => topic('room', render(channelNames.room, ['']), '', true),
  /** Changes of one user's study time or timer. */
  studyUser: (userId: string) => named('studyUser', userId),
  /** One event per study day, when it closes. */
  studyDayClosed: () => named('studyDayClosed'),
};
