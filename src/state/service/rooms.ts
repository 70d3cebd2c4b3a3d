import { badInput } from '../../errors.js';
import { topics } from '../topics.js';
import { assertId, assertInt, assertOptionalId, assertText } from '../../validate.js';
import type { StateService, StateServiceDeps } from './contract.js';
import type { RoomEvent, RoomEventType } from '../types.js';

const ROOM_EVENT_TYPES = new Set<RoomEventType>(['ALERT', 'KICK_OUT', 'KICK_OUT_BY_ALERT', 'DELEGATE']);

/** The room relay: events are validated and published; only an eventId is remembered, so a retry is relayed once. */
export function roomService({ engine, bus, clock }: StateServiceDeps): Pick<StateService, 'publishRoomEvent' | 'roomEvents'> {
  return {
    async publishRoomEvent(input) {
      const type = input.type as RoomEventType;
      if (!ROOM_EVENT_TYPES.has(type)) {
        throw badInput(type === 'ROOM_OUT' ? 'ROOM_OUT is published by the state server itself' : 'type is not a room event type');
      }
      const event: RoomEvent = {
        type,
        roomId: assertId(input.roomId, 'roomId'),
        userId: assertId(input.userId, 'userId'),
        targetUserId: assertOptionalId(input.targetUserId, 'targetUserId'),
        alertCount: input.alertCount === null || input.alertCount === undefined ? null : assertInt(input.alertCount, 'alertCount', 0, 1_000_000),
        message: input.message === null || input.message === undefined ? null : assertText(input.message, 'message', 1000),
        at: clock.now(),
      };
      if (type === 'ALERT' && event.alertCount === null) throw badInput('ALERT needs an alertCount');
      if (type !== 'ALERT' && event.alertCount !== null) throw badInput('alertCount applies only to ALERT');
      if (type === 'DELEGATE' && event.targetUserId === null) throw badInput('DELEGATE needs a targetUserId');
      return engine.relayRoomEvent(event, assertOptionalId(input.eventId, 'eventId'));
    },

    roomEvents: async (roomId) =>
      bus.subscribe([roomId === null || roomId === undefined ? topics.allRooms() : topics.room(assertId(roomId, 'roomId'))]),
  };
}
