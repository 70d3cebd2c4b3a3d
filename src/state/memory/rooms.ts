import { topics } from '../topics.js';
import type { StateEngine } from '../engine.js';
import type { RoomEvent } from '../types.js';
import type { MemoryStore } from './store.js';

/** The room relay, as lua/relay-room-event.lua: an eventId is published once while its record is kept. */
export function memoryRooms({ publish, tombstoneSeconds }: MemoryStore): Pick<StateEngine, 'relayRoomEvent'> {
  const relayed = new Map<string, { event: RoomEvent; expiresAt: number }>();
  return {
    async relayRoomEvent(event, eventId) {
      if (eventId !== null) {
        const key = `${event.roomId}\n${eventId}`;
        const first = relayed.get(key);
        if (first && first.expiresAt > event.at) return first.event;
        // Drop expired records now and then, so the map stays as small as Redis keeps it.
        if (relayed.size % 1024 === 1023) for (const [k, r] of relayed) if (r.expiresAt <= event.at) relayed.delete(k);
        relayed.set(key, { event, expiresAt: event.at + tombstoneSeconds * 1000 });
      }
      await publish(topics.room(event.roomId), event);
      return event;
    },
  };
}
