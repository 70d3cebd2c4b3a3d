import type { RoomEvent } from '../state/types.js';
import { builder } from './builder.js';

const RoomEventTypeEnum = builder.enumType('RoomEventType', {
  values: ['ALERT', 'KICK_OUT', 'KICK_OUT_BY_ALERT', 'DELEGATE', 'ROOM_OUT'] as const,
});

const RoomEventRef = builder.objectRef<RoomEvent>('RoomEvent').implement({
  description: 'A room control event relayed from the room server, or ROOM_OUT from this server',
  fields: (t) => ({
    type: t.expose('type', { type: RoomEventTypeEnum }),
    roomId: t.exposeID('roomId'),
    userId: t.exposeID('userId', { description: 'The acting user (for ROOM_OUT: the user who left)' }),
    targetUserId: t.exposeID('targetUserId', { nullable: true }),
    alertCount: t.exposeInt('alertCount', { nullable: true }),
    message: t.exposeString('message', { nullable: true }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const RoomEventInput = builder.inputType('RoomEventInput', {
  fields: (t) => ({
    type: t.field({ type: RoomEventTypeEnum, required: true, description: 'ROOM_OUT is published by this server only' }),
    roomId: t.id({ required: true }),
    userId: t.id({ required: true }),
    targetUserId: t.id({ description: 'Required for DELEGATE' }),
    alertCount: t.int({ description: 'Required for ALERT, and only there' }),
    message: t.string({ description: 'At most 1000 characters' }),
    eventId: t.id({
      description: 'The room server\'s id for this event: a retry with the same id (within TOMBSTONE_SECONDS) is relayed once and answers the event as first relayed',
    }),
  }),
});

builder.mutationField('publishRoomEvent', (t) =>
  t.field({
    type: RoomEventRef,
    args: { input: t.arg({ type: RoomEventInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.publishRoomEvent(input),
  }),
);

builder.subscriptionField('roomEvents', (t) =>
  t.field({
    type: RoomEventRef,
    description: "A room's events in publish order; without roomId, every room's",
    args: { roomId: t.arg.id() },
    authScopes: { service: true },
    subscribe: (_root, { roomId }, { state }) => state.roomEvents(roomId),
    resolve: (event) => event,
  }),
);
