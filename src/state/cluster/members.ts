import type { StateEngine } from '../engine.js';
import { guard } from '../redis/context.js';
import { memberPage } from '../status.js';
import type { ClusterContext } from './context.js';
import type { ClusterSessions } from './sessions.js';

/**
 * A guild's online members, paged by id: the page of the guild's view (its
 * slot), then the members' fields from their partitions, one step each.
 * A member who left the view in between is left out of the page.
 */
export function clusterMembers({ client, keys }: ClusterContext, sessions: ClusterSessions): Pick<StateEngine, 'onlineMembers'> {
  return {
    onlineMembers: (guildId, first, after) =>
      guard(async () => {
        const ids = await client.zrangebylex(keys.guildOnline(guildId), after === null ? '-' : `(${after}`, '+', 'LIMIT', 0, first + 1);
        const { connections } = await sessions.connectionStates(ids.slice(0, first));
        return memberPage(ids, first, (i) => connections[i]!);
      }),
  };
}
