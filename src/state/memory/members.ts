import type { StateEngine } from '../engine.js';
import { byteOrder } from '../records.js';
import { memberPage } from '../status.js';
import type { MemoryStore } from './store.js';
import type { SessionSteps } from './sessions-steps.js';

/**
 * A guild's online members, paged by id (byte order, as Redis's ZRANGEBYLEX).
 * The sorted view is kept per guild until the guild's view changes, so paging
 * a quiet big guild sorts it once.
 */
export function memoryMembers({ guildOnline, liveUser }: MemoryStore, { connectionOf }: SessionSteps): Pick<StateEngine, 'onlineMembers'> {
  const sorted = new WeakMap<Set<string>, { size: number; ids: string[] }>();
  const idsOf = (members: Set<string>) => {
    const cached = sorted.get(members);
    // A Set changes in place: compare what it holds now with what was sorted.
    if (cached && cached.size === members.size && cached.ids.every((id) => members.has(id))) return cached.ids;
    const ids = [...members].sort(byteOrder);
    sorted.set(members, { size: members.size, ids });
    return ids;
  };
  return {
    async onlineMembers(guildId, first, after) {
      const members = guildOnline.get(guildId);
      const all = members ? idsOf(members) : [];
      let from = 0;
      if (after !== null) {
        // Binary search: the first id after the cursor.
        let hi = all.length;
        while (from < hi) {
          const mid = (from + hi) >> 1;
          if (byteOrder(all[mid]!, after) <= 0) from = mid + 1;
          else hi = mid;
        }
      }
      const ids = all.slice(from, from + first + 1);
      return memberPage(ids, first, (i) => connectionOf(ids[i]!, liveUser(ids[i]!)!));
    },
  };
}
