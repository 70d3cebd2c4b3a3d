import type { StateEngine } from '../engine.js';
import { guard } from '../redis/context.js';
import { memberPage } from '../status.js';
import type { ClusterContext } from './context.js';
import type { ClusterSessions } from './sessions.js';
import { readLog } from '../redis/log.js';

/**
 * A guild's online members, paged by id: the page of the guild's view (its
 * slot), then the members' fields from their partitions, one step each.
 * A member who left the view in between is left out of the page.
 */
export function clusterMembers({ client, keys, steps, options }: ClusterContext, sessions: ClusterSessions): Pick<StateEngine, 'onlineMembers' | 'presenceLog' | 'voiceLog'> {
  const logMax = Math.max(1, options.resume?.events ?? 0);
  return {
    presenceLog: (guildId, after) => readLog(() => steps.readLog(keys.guildPresenceLog(guildId), after, logMax)),
    voiceLog: (guildId, after) => readLog(() => steps.readLog(keys.guildVoiceLog(guildId), after, logMax)),
    onlineMembers: (guildId, first, after) =>
      guard(async () => {
        const ids = await client.zrangebylex(keys.guildOnline(guildId), after === null ? '-' : `(${after}`, '+', 'LIMIT', 0, first + 1);
        const { connections } = await sessions.connectionStates(ids.slice(0, first));
        return memberPage(ids, first, (i) => connections[i]!);
      }),
  };
}
