import { guard } from '../redis/context.js';
import type { RoomEvent } from '../types.js';
import type { ClusterContext } from './context.js';

/** The room relay on a Cluster: one step in the room's partition publishes on the room's and on the every-room channel. */
export function clusterRooms({ lists, steps, options }: ClusterContext) {
  return {
    relayRoomEvent: (event: RoomEvent, eventId: string | null): Promise<RoomEvent> =>
      guard(async () => {
        const target = lists.room(event.roomId, eventId ?? '');
        const first = await steps.relayRoom(...target.keys, ...target.channels, JSON.stringify(event), options.tombstoneSeconds, eventId === null ? '0' : '1');
        return typeof first === 'string' ? (JSON.parse(first) as RoomEvent) : event;
      }),
  };
}
