import type { StateEngine } from '../engine.js';
import { memberPage } from '../status.js';
import { guard, type RedisContext } from './context.js';
import { decodeConnection } from './session-codec.js';
import { readLog } from './log.js';

/** A guild's online members, paged by id (the view and each member's fields in one script), and its event logs. */
export function redisMembers({ client, keyPrefix, keys, logMax }: RedisContext): Pick<StateEngine, 'onlineMembers' | 'presenceLog' | 'voiceLog'> {
  return {
    presenceLog: (guildId, after) => readLog(() => client.readLog(keys.presenceLog(guildId), after, logMax)),
    voiceLog: (guildId, after) => readLog(() => client.readLog(keys.voiceLog(guildId), after, logMax)),
    onlineMembers: (guildId, first, after) =>
      guard(async () => {
        const flat = (await client.onlineMembers(keys.guildOnline(guildId), keyPrefix, after ?? '', first + 1)) as string[];
        const ids = flat.filter((_, i) => i % 2 === 0);
        return memberPage(ids, first, (i) => decodeConnection(ids[i]!, flat[2 * i + 1]!));
      }),
  };
}
