import type {
  ConnectSessionInput,
  Session,
  SessionResult,
  UserConnection,
  VoiceChannel,
  VoiceChannelInput,
  VoiceStateChange,
} from './types.js';

/**
 * What an engine must do; the state service validates input and reads the
 * clock before calling it. Each mutating method is one atomic step that also
 * publishes the events it causes.
 */
export interface StateEngine {
  connectSession(input: ConnectSessionInput, now: number): Promise<SessionResult>;
  disconnectSession(sessionId: string, now: number): Promise<SessionResult>;
  getSession(sessionId: string): Promise<Session | null>;
  /** One entry per id, in order; one round trip however many ids. */
  connectionStates(userIds: readonly string[]): Promise<UserConnection[]>;
  joinVoice(input: VoiceChannelInput, now: number): Promise<VoiceStateChange>;
  leaveVoice(input: VoiceChannelInput, now: number): Promise<VoiceStateChange>;
  channelStates(guildId: string): Promise<VoiceChannel[]>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Seconds an offline user's record is kept. */
  presenceRetentionSeconds: number;
}
