import type { EventBus, Topic } from '../pubsub/event-bus.js';
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

export const topics = {
  /** ONLINE/OFFLINE transitions of one user. */
  presenceUser: (userId: string) => topic('presenceUser', `presence:user:${userId}`, userId),
  /** Transitions of users as seen from one guild. */
  presenceGuild: (guildId: string) => topic('presenceGuild', `presence:guild:${guildId}`, guildId),
  /** Voice joins, moves and leaves in one guild. */
  voiceGuild: (guildId: string) => topic('voiceGuild', `voice:guild:${guildId}`, guildId),
  /** Control events of one study room. */
  room: (roomId: string) => topic('room', `room:${roomId}`, roomId),
  /** Control events of every room: one pattern subscription, so each event is published once. */
  allRooms: () => topic('room', 'room:', '', true),
  /** Changes of one user's study time or timer. */
  studyUser: (userId: string) => topic('studyUser', `study:user:${userId}`, userId),
  /** One event per study day, when it closes. */
  studyDayClosed: () => topic('studyDayClosed', 'study:day-closed', ''),
};
