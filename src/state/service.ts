import type { Clock } from '../clock.js';
import { badInput } from '../errors.js';
import type { EventBus } from '../pubsub/event-bus.js';
import { topics } from '../pubsub/topics.js';
import { assertId, assertIdList, assertIdSet, assertOptionalId } from '../validate.js';
import type { StateEngine } from './engine.js';
import type {
  PresenceEvent,
  Session,
  SessionResult,
  UserConnection,
  VoiceChannel,
  VoiceChannelInput,
  VoiceStateChange,
} from './types.js';

export interface ConnectSessionArgs {
  sessionId: unknown;
  userId: unknown;
  guildIds?: readonly unknown[] | null;
  roomId?: unknown;
  nodeId?: unknown;
}

export interface VoiceArgs {
  guildId: unknown;
  channelId: unknown;
  userId: unknown;
}

export interface PresenceFilter {
  guildId?: unknown;
  userIds?: readonly unknown[] | null;
}

/**
 * The one place the state rules are entered: input is validated and the clock
 * read here, then one engine call does the atomic work. Resolvers call only this.
 */
export interface StateService {
  connectSession(input: ConnectSessionArgs): Promise<SessionResult>;
  disconnectSession(sessionId: unknown): Promise<SessionResult>;
  session(sessionId: unknown): Promise<Session | null>;
  connectionStates(userIds: readonly unknown[]): Promise<UserConnection[]>;
  joinVoiceChannel(input: VoiceArgs): Promise<VoiceStateChange>;
  leaveVoiceChannel(input: VoiceArgs): Promise<VoiceStateChange>;
  channelStates(guildId: unknown): Promise<VoiceChannel[]>;
  /** Resolves once subscribed: events after that are not missed. */
  presenceChanged(filter: PresenceFilter): Promise<AsyncIterableIterator<PresenceEvent>>;
  channelStateChanged(guildId: unknown): Promise<AsyncIterableIterator<VoiceStateChange>>;
  /** Whether the store answers. */
  ready(): Promise<boolean>;
}

export interface StateServiceDeps {
  engine: StateEngine;
  bus: EventBus;
  clock: Clock;
}

const voiceInput = (input: VoiceArgs): VoiceChannelInput => ({
  guildId: assertId(input.guildId, 'guildId'),
  channelId: assertId(input.channelId, 'channelId'),
  userId: assertId(input.userId, 'userId'),
});

export function createStateService({ engine, bus, clock }: StateServiceDeps): StateService {
  return {
    async connectSession(input) {
      const valid = {
        sessionId: assertId(input.sessionId, 'sessionId'),
        userId: assertId(input.userId, 'userId'),
        guildIds: assertIdSet(input.guildIds, 'guildIds'),
        roomId: assertOptionalId(input.roomId, 'roomId'),
        nodeId: assertOptionalId(input.nodeId, 'nodeId'),
      };
      return engine.connectSession(valid, clock.now());
    },

    disconnectSession: async (sessionId) => engine.disconnectSession(assertId(sessionId, 'sessionId'), clock.now()),

    session: async (sessionId) => engine.getSession(assertId(sessionId, 'sessionId')),

    connectionStates: async (userIds) => engine.connectionStates(assertIdList(userIds, 'userIds')),

    joinVoiceChannel: async (input) => engine.joinVoice(voiceInput(input), clock.now()),

    leaveVoiceChannel: async (input) => engine.leaveVoice(voiceInput(input), clock.now()),

    channelStates: async (guildId) => engine.channelStates(assertId(guildId, 'guildId')),

    async presenceChanged({ guildId, userIds }) {
      const users = userIds === null || userIds === undefined ? null : assertIdSet(userIds, 'userIds');
      if (guildId === null || guildId === undefined) {
        if (!users || users.length === 0) throw badInput('presenceChanged needs a guildId or at least one userId');
        return bus.subscribe(users.map(topics.presenceUser));
      }
      const guild = assertId(guildId, 'guildId');
      // Both filters: the guild's view, narrowed to those users.
      const only = users && users.length > 0 ? new Set(users) : null;
      return bus.subscribe([topics.presenceGuild(guild)], only ? { filter: (e) => only.has(e.userId) } : {});
    },

    channelStateChanged: async (guildId) => bus.subscribe([topics.voiceGuild(assertId(guildId, 'guildId'))]),

    async ready() {
      try {
        await engine.ping();
        return true;
      } catch {
        return false;
      }
    },
  };
}
