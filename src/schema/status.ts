import { builder } from './builder.js';
import type { PresenceExplanation } from '../state/types.js';
import { SessionResultRef, UserConnectionRef } from './presence.js';
import { ActivityEnum, CustomStatusInput, CustomStatusRef, PlatformEnum, UserStatusEnum } from './status-types.js';

type ExplainedSession = PresenceExplanation['sessions'][number];
type LastClosed = NonNullable<PresenceExplanation['lastClosed']>;
type VoiceSeat = NonNullable<PresenceExplanation['voice']>;

const ExplainedSessionRef = builder.objectRef<ExplainedSession>('ExplainedSession').implement({
  description: 'A live session keeping the user online, with its gateway node\'s lease',
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    nodeId: t.exposeID('nodeId', { nullable: true }),
    connectedAt: t.expose('connectedAt', { type: 'DateTime' }),
    activity: t.expose('activity', { type: ActivityEnum }),
    platform: t.expose('platform', { type: PlatformEnum, nullable: true }),
    guildIds: t.exposeIDList('guildIds'),
    roomId: t.exposeID('roomId', { nullable: true }),
    leaseExpiresAt: t.expose('leaseExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: "When the node's lease lapses and its sessions are reaped; null for a session without a node (closed after SESSION_MAX_AGE_SECONDS) or a node not known",
    }),
  }),
});

const LastClosedRef = builder.objectRef<LastClosed>('ClosedSession').implement({
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    closedAt: t.expose('closedAt', { type: 'DateTime' }),
    tombstoned: t.exposeBoolean('tombstoned', { description: 'Its id is still refused (TOMBSTONE_SECONDS), so a late connect opens nothing' }),
  }),
});

const VoiceSeatRef = builder.objectRef<VoiceSeat>('VoiceSeat').implement({
  fields: (t) => ({ guildId: t.exposeID('guildId'), channelId: t.exposeID('channelId') }),
});

const PresenceExplanationRef = builder.objectRef<PresenceExplanation>('PresenceExplanation').implement({
  description: 'Why a user is shown as they are: for a ghost, which session, node lease or held-back OFFLINE keeps them online',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    connection: t.expose('connection', { type: UserConnectionRef, description: 'The truth, as a service reads it' }),
    sessions: t.expose('sessions', { type: [ExplainedSessionRef], description: 'Oldest first' }),
    pendingSince: t.expose('pendingSince', { type: 'DateTime', nullable: true, description: 'The last session closed then; the OFFLINE is held back (PRESENCE_GRACE_MS)' }),
    pendingDueAt: t.expose('pendingDueAt', { type: 'DateTime', nullable: true, description: 'When the held-back OFFLINE is sent' }),
    lastClosed: t.expose('lastClosed', { type: LastClosedRef, nullable: true }),
    chosenStatus: t.expose('chosenStatus', { type: UserStatusEnum, description: 'ONLINE, DND or INVISIBLE' }),
    customStatus: t.expose('customStatus', { type: CustomStatusRef, nullable: true, description: 'As stored, with its expiry' }),
    voice: t.expose('voice', { type: VoiceSeatRef, nullable: true }),
    studyTimerStartedAt: t.expose('studyTimerStartedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  presenceExplain: t.field({
    type: PresenceExplanationRef,
    description: 'Everything that keeps the user shown as they are (services only)',
    args: { userId: t.arg.id({ required: true }) },
    authScopes: { service: true },
    resolve: (_root, { userId }, { state }) => state.presenceExplain(userId),
  }),
}));

const SetUserStatusInput = builder.inputType('SetUserStatusInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    status: t.field({ type: UserStatusEnum, required: true, description: 'ONLINE, DND or INVISIBLE; IDLE and OFFLINE are not chosen (BAD_USER_INPUT)' }),
    customStatus: t.field({ type: CustomStatusInput, description: 'Omitted: kept as it is; null: cleared' }),
  }),
});

const SetSessionActivityInput = builder.inputType('SetSessionActivityInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    activity: t.field({ type: ActivityEnum, required: true }),
  }),
});

builder.mutationFields((t) => ({
  setUserStatus: t.field({
    type: UserConnectionRef,
    description: "Sets the user's chosen status and custom status; viewers hear what they see change (going INVISIBLE is an OFFLINE to them). Answers the truth",
    args: { input: t.arg({ type: SetUserStatusInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.setUserStatus(input),
  }),
  setSessionActivity: t.field({
    type: SessionResultRef,
    description: "Sets a session's activity (its gateway saw the user idle or back); an unknown session changes nothing",
    args: { input: t.arg({ type: SetSessionActivityInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.setSessionActivity(input),
  }),
}));
