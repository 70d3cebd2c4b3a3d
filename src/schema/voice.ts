import type { VoiceChannel, VoiceStateChange } from '../state/types.js';
import { builder } from './builder.js';
import { lastEventIdOf } from './last-event-id.js';

const VoiceChangeEnum = builder.enumType('VoiceChange', { values: ['JOINED', 'LEFT', 'MOVED'] as const });

const VoiceChannelRef = builder.objectRef<VoiceChannel>('VoiceChannel').implement({
  fields: (t) => ({
    guildId: t.exposeID('guildId'),
    channelId: t.exposeID('channelId'),
    userIds: t.exposeIDList('userIds'),
  }),
});

const VoiceStateChangeRef = builder.objectRef<VoiceStateChange>('VoiceStateChange').implement({
  description: 'JOINED adds userId to channelId, MOVED moves it from previousChannelId, LEFT removes it from channelId',
  fields: (t) => ({
    changed: t.exposeBoolean('changed', { description: 'false for a retry or a no-op; type is then null' }),
    type: t.expose('type', { type: VoiceChangeEnum, nullable: true }),
    guildId: t.exposeID('guildId'),
    channelId: t.exposeID('channelId', { nullable: true }),
    previousChannelId: t.exposeID('previousChannelId', { nullable: true }),
    userId: t.exposeID('userId'),
    at: t.expose('at', { type: 'DateTime' }),
    version: t.exposeInt('version', { nullable: true, description: "The guild's voice version after this change; null when nothing changed" }),
    snapshot: t.exposeBoolean('snapshot', { description: 'Part of the current state sent first (includeSnapshot), as JOINED' }),
    position: t.exposeString('position', { nullable: true, description: "Where this change is in the guild's voice stream: pass it as `after` to resume. Null on snapshot events" }),
    resync: t.boolean({
      description: 'The changes after the position a subscriber resumed from are no longer kept: take a snapshot. The other fields are empty; `position` is where the stream is now',
      resolve: (change) => (change as { resync?: boolean }).resync === true,
    }),
  }),
});

const VoiceChannelInput = builder.inputType('VoiceChannelInput', {
  fields: (t) => ({
    guildId: t.id({ required: true }),
    channelId: t.id({ required: true }),
    userId: t.id({ required: true }),
    at: t.field({ type: 'DateTime', description: 'When the signaling server saw it; an event older than the last applied for the user is ignored' }),
  }),
});

builder.queryField('channelStates', (t) =>
  t.field({
    type: [VoiceChannelRef],
    description: 'Voice channels of the guild that have members',
    args: { guildId: t.arg.id({ required: true }) },
    authScopes: (_root, { guildId }) => ({ guild: guildId }),
    resolve: (_root, { guildId }, { state }) => state.channelStates(guildId),
  }),
);

builder.mutationFields((t) => ({
  joinVoiceChannel: t.field({
    type: VoiceStateChangeRef,
    args: { input: t.arg({ type: VoiceChannelInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.joinVoiceChannel(input),
  }),
  leaveVoiceChannel: t.field({
    type: VoiceStateChangeRef,
    args: { input: t.arg({ type: VoiceChannelInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.leaveVoiceChannel(input),
  }),
}));

builder.subscriptionField('channelStateChanged', (t) =>
  t.field({
    type: VoiceStateChangeRef,
    description: 'Every voice change in the guild',
    args: {
      guildId: t.arg.id({ required: true }),
      includeSnapshot: t.arg.boolean({ description: 'First send every member as JOINED (snapshot: true), then live events, with no gap' }),
      after: t.arg.string({
        description: 'Resume from the `position` of the last event seen: every change missed since, then live ones; one `resync` event when they are no longer kept. Over SSE a reconnect\'s Last-Event-ID header counts as `after`',
      }),
    },
    authScopes: (_root, { guildId }) => ({ guild: guildId }),
    subscribe: (_root, { guildId, includeSnapshot, after }, ctx) => ctx.state.channelStateChanged(guildId, includeSnapshot, after ?? lastEventIdOf(ctx)),
    resolve: (change) => change,
  }),
);
