import type { GuildPresence, ItemError, OnlineMember, OnlineMembersPage, PresenceEvent, Session, SessionItem, SessionResult, UserConnection } from '../state/types.js';
import { MEMBERS_PAGE } from '../state/service/presence.js';
import { BATCH_LIMIT } from '../state/batch.js';
import { viewerOf } from '../auth/caller.js';
import { lastEventIdOf } from './last-event-id.js';
import { builder } from './builder.js';
import { ConnectionStateEnum } from './scalars.js';
import { ActivityEnum, CustomStatusRef, PlatformEnum, UserStatusEnum } from './status-types.js';

const SessionRef = builder.objectRef<Session>('Session').implement({
  description: 'One live connection of a user to a chat gateway',
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    userId: t.exposeID('userId'),
    guildIds: t.exposeIDList('guildIds'),
    roomId: t.exposeID('roomId', { nullable: true }),
    nodeId: t.exposeID('nodeId', { nullable: true }),
    connectedAt: t.expose('connectedAt', { type: 'DateTime' }),
    activity: t.expose('activity', { type: ActivityEnum }),
    platform: t.expose('platform', { type: PlatformEnum, nullable: true }),
  }),
});

export const UserConnectionRef = builder.objectRef<UserConnection>('UserConnection').implement({
  description: 'A user is ONLINE while at least one of their sessions lives',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    state: t.expose('state', { type: ConnectionStateEnum }),
    sessionCount: t.exposeInt('sessionCount'),
    roomId: t.exposeID('roomId', { nullable: true, description: 'Study room of the newest session that named one' }),
    lastSeenAt: t.expose('lastSeenAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the user last went offline; for users viewing an invisible user, when they went invisible',
    }),
    status: t.expose('status', { type: UserStatusEnum, description: 'The shown status; INVISIBLE only for services' }),
    platforms: t.expose('platforms', { type: [PlatformEnum], description: 'Platforms of the live sessions' }),
    customStatus: t.expose('customStatus', { type: CustomStatusRef, nullable: true, description: 'Shown while the user is not OFFLINE' }),
  }),
});

const GuildPresenceRef = builder.objectRef<GuildPresence>('GuildPresence').implement({
  description: "A guild's counts, without its member lists: cheap at any guild size",
  fields: (t) => ({
    guildId: t.exposeID('guildId'),
    onlineCount: t.exposeInt('onlineCount', { description: 'Members with a live session' }),
    voiceCount: t.exposeInt('voiceCount', { description: 'Members in one of its voice channels' }),
  }),
});

export const OnlineMemberRef = builder.objectRef<OnlineMember>('OnlineMember').implement({
  description: "A member the guild's view shows online",
  fields: (t) => ({
    userId: t.exposeID('userId'),
    status: t.expose('status', { type: UserStatusEnum, description: 'ONLINE, IDLE or DND' }),
    platforms: t.expose('platforms', { type: [PlatformEnum] }),
    customStatus: t.expose('customStatus', { type: CustomStatusRef, nullable: true }),
  }),
});

const OnlineMembersPageRef = builder.objectRef<OnlineMembersPage>('OnlineMembersPage').implement({
  fields: (t) => ({
    guildId: t.exposeID('guildId'),
    entries: t.expose('entries', { type: [OnlineMemberRef], description: 'In user id order (byte order); may hold fewer than `first` when members left while it was read' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` for the next page' }),
    hasNextPage: t.exposeBoolean('hasNextPage'),
  }),
});

export const SessionResultRef = builder.objectRef<SessionResult>('SessionResult').implement({
  fields: (t) => ({
    changed: t.exposeBoolean('changed', { description: 'false for a retry or a no-op (unknown session)' }),
    session: t.expose('session', { type: SessionRef, nullable: true }),
    connection: t.expose('connection', { type: UserConnectionRef, nullable: true }),
  }),
});

const ItemErrorRef = builder.objectRef<ItemError>('ItemError').implement({
  description: 'Why one item of a batch was refused; the other items still applied',
  fields: (t) => ({
    code: t.exposeString('code', { description: "The code a single call would have in extensions.code (BAD_USER_INPUT)" }),
    message: t.exposeString('message'),
  }),
});

const SessionItemRef = builder.objectRef<SessionItem>('SessionItemResult').implement({
  description: 'One item of connectSessions or disconnectSessions: its result, or its error',
  fields: (t) => ({
    result: t.expose('result', { type: SessionResultRef, nullable: true, description: 'What the single mutation would answer; null when refused' }),
    error: t.expose('error', { type: ItemErrorRef, nullable: true, description: 'Set when this item was refused' }),
  }),
});

const PresenceEventRef = builder.objectRef<PresenceEvent>('PresenceEvent').implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    state: t.expose('state', { type: ConnectionStateEnum }),
    previousState: t.expose('previousState', { type: ConnectionStateEnum }),
    status: t.expose('status', { type: UserStatusEnum, description: 'The shown status after the event; INVISIBLE only on streams of services following users' }),
    previousStatus: t.expose('previousStatus', { type: UserStatusEnum }),
    platforms: t.expose('platforms', { type: [PlatformEnum] }),
    customStatus: t.expose('customStatus', { type: CustomStatusRef, nullable: true }),
    sessionCount: t.exposeInt('sessionCount'),
    guildIds: t.exposeIDList('guildIds', { description: 'Guilds this transition applies to' }),
    at: t.expose('at', { type: 'DateTime' }),
    version: t.exposeInt('version', { description: "The user's presence version; every presence event of the user raises it" }),
    snapshot: t.exposeBoolean('snapshot', { description: 'Part of the current state sent first (includeSnapshot), not a transition' }),
    position: t.exposeString('position', {
      nullable: true,
      description: "Where this event is in the guild's stream: pass it as `after` (or, over SSE, it is the event id a reconnect sends as Last-Event-ID) to resume. Null on a user's own stream and on snapshot events",
    }),
    resync: t.boolean({
      description: 'The events after the position a subscriber resumed from are no longer kept (RESUME_WINDOW_EVENTS / RESUME_WINDOW_SECONDS): take a snapshot. The other fields are empty; `position` is where the stream is now',
      resolve: (event) => (event as { resync?: boolean }).resync === true,
    }),
  }),
});

const ConnectSessionInput = builder.inputType('ConnectSessionInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    userId: t.id({ required: true }),
    guildIds: t.idList(),
    roomId: t.id(),
    nodeId: t.id({ description: 'Gateway node holding the session' }),
    activity: t.field({ type: ActivityEnum, description: 'ACTIVE when omitted' }),
    platform: t.field({ type: PlatformEnum, description: 'Omitted: the session adds no platform' }),
  }),
});

builder.queryFields((t) => ({
  connectionStates: t.field({
    type: [UserConnectionRef],
    description: 'Same order as userIds; unknown users are OFFLINE (for user tokens, so is anyone sharing none of their guilds)',
    args: { userIds: t.arg.idList({ required: true }) },
    authScopes: { anyone: true },
    resolve: (_root, { userIds }, { state, caller }) => state.connectionStates(userIds, viewerOf(caller)),
  }),
  guildPresence: t.field({
    type: GuildPresenceRef,
    description: 'How many members of the guild are online and in voice, read in O(1) whatever its size',
    args: { guildId: t.arg.id({ required: true }) },
    authScopes: (_root, { guildId }) => ({ guild: guildId }),
    resolve: (_root, { guildId }, { state }) => state.guildPresence(guildId),
  }),
  onlineMembers: t.field({
    type: OnlineMembersPageRef,
    description: `A page of the guild's online members (as its view shows them: no invisible user) in a stable order, \`first\` per page (default ${MEMBERS_PAGE.default}, at most ${MEMBERS_PAGE.max}): a member who stays online is listed once, whatever joins and leaves meanwhile`,
    args: { guildId: t.arg.id({ required: true }), first: t.arg.int(), after: t.arg.string() },
    authScopes: (_root, { guildId }) => ({ guild: guildId }),
    resolve: (_root, { guildId, first, after }, { state }) => state.onlineMembers(guildId, first, after),
  }),
  session: t.field({
    type: SessionRef,
    nullable: true,
    args: { sessionId: t.arg.id({ required: true }) },
    authScopes: { service: true },
    resolve: (_root, { sessionId }, { state }) => state.session(sessionId),
  }),
}));

builder.mutationFields((t) => ({
  connectSession: t.field({
    type: SessionResultRef,
    args: { input: t.arg({ type: ConnectSessionInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.connectSession(input),
  }),
  disconnectSession: t.field({
    type: SessionResultRef,
    args: { sessionId: t.arg.id({ required: true }) },
    authScopes: { service: true },
    resolve: (_root, { sessionId }, { state }) => state.disconnectSession(sessionId),
  }),
  connectSessions: t.field({
    type: [SessionItemRef],
    description: `connectSession for up to ${BATCH_LIMIT} inputs in one call (a gateway's batches): one result per input, in order, with the same events; an invalid or refused item gets its own error and the others still apply`,
    args: { inputs: t.arg({ type: [ConnectSessionInput], required: true }) },
    authScopes: { service: true },
    resolve: (_root, { inputs }, { state }) => state.connectSessions(inputs),
  }),
  disconnectSessions: t.field({
    type: [SessionItemRef],
    description: `disconnectSession for up to ${BATCH_LIMIT} session ids in one call, as connectSessions`,
    args: { sessionIds: t.arg.idList({ required: true }) },
    authScopes: { service: true },
    resolve: (_root, { sessionIds }, { state }) => state.disconnectSessions(sessionIds),
  }),
}));

builder.subscriptionFields((t) => ({
  presenceChanged: t.field({
    type: PresenceEventRef,
    description:
      'ONLINE/OFFLINE transitions of the given users, or as seen from a guild (an invisible user is OFFLINE there); one filter is required. By userIds alone (services) the stream is the truth, INVISIBLE included',
    args: {
      guildId: t.arg.id(),
      userIds: t.arg.idList(),
      includeSnapshot: t.arg.boolean({ description: 'First send the current presence of the users (snapshot: true), then live events, with no gap' }),
      after: t.arg.string({
        description: "Resume a guild's stream from the `position` of the last event seen: every event missed since, then live ones, with no gap and no duplicate; one `resync` event when they are no longer kept. Needs guildId. Over SSE a reconnect's Last-Event-ID header counts as `after`",
      }),
      statusChanges: t.arg.boolean({
        description: 'Also status changes (status, platforms, custom status) of users who stay online, as events with state = previousState = ONLINE; by default only ONLINE/OFFLINE transitions',
      }),
    },
    // User tokens subscribe by guild; only services may follow arbitrary users.
    authScopes: (_root, { guildId }) => (guildId ? { guild: guildId } : { service: true }),
    subscribe: (_root, args, ctx) => ctx.state.presenceChanged({ ...args, after: args.after ?? lastEventIdOf(ctx) }),
    resolve: (event) => event,
  }),
  guildPresenceChanged: t.field({
    type: GuildPresenceRef,
    description:
      "The guild's counts now, then each change of them, at most one event per GUILD_COUNTS_INTERVAL_MS (the latest counts): a big guild's numbers without one event per transition",
    args: { guildId: t.arg.id({ required: true }) },
    authScopes: (_root, { guildId }) => ({ guild: guildId }),
    subscribe: (_root, { guildId }, { state }) => state.guildPresenceChanged(guildId),
    resolve: (counts) => counts,
  }),
}));
