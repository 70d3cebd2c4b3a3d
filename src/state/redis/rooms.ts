import { topics } from '../topics.js';
import type { StateEngine } from '../engine.js';
import type { RoomEvent } from '../types.js';
import { guard, type RedisContext } from './context.js';

/** The room relay: a plain publish, or one script that publishes a given eventId once. */
export function redisRooms({ client, keys, tombstoneSeconds }: RedisContext): Pick<StateEngine, 'relayRoomEvent'> {
  return {
    relayRoomEvent: (event, eventId) =>
      guard(async () => {
        // As the bus publishes: the event's JSON on the prefixed channel.
        const channel = keys.channel(topics.room(event.roomId).name);
        if (eventId === null) {
          await client.publish(channel, JSON.stringify(event));
          return event;
        }
        const first = await client.relayRoomEvent(keys.roomEvent(event.roomId, eventId), channel, JSON.stringify(event), tombstoneSeconds);
        return typeof first === 'string' ? (JSON.parse(first) as RoomEvent) : event;
      }),
  };
}
