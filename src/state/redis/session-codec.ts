import { toConnection, type SessionContent, type SessionRecord } from '../records.js';
import type { PresenceSnapshotEntry, UserConnection } from '../types.js';

// How lua/lib/session-records.lua stores a session: '\n'-separated fields instead of JSON
// (ids hold no control characters), so a session with typical ids fits
// hash-max-listpack-value and the user hash stays a compact listpack.

/** Content as the scripts take it: 'node\nroom\nguild1\nguild2...', absent fields empty. */
export const encodeContent = (c: SessionContent) => [c.n ?? '', c.r ?? '', ...(c.g ?? [])].join('\n');

/** A stored record: 'q\nt\n' in front of the content. */
export function decodeRecord(text: string): SessionRecord {
  const [q, t, n, r, ...g] = text.split('\n');
  const rec: SessionRecord = { q: Number(q), t: Number(t) };
  if (n) rec.n = n;
  if (r) rec.r = r;
  if (g.length > 0) rec.g = g;
  return rec;
}

/**
 * The reply of a connection-states script (one string: per user 'sessionCount
 * \x1f room \x1f lastSeenAt \x1f pending \x1f guilds', records ending in
 * '\x1e'), decoded into `connections[at[i]]` / `guilds[at[i]]` for `userIds[i]`.
 * Read field by field with indexOf, so only values present become strings.
 */
export function decodeConnectionRecords(
  reply: string,
  userIds: readonly string[],
  connections: UserConnection[],
  guilds: string[],
  at: (i: number) => number = (i) => i,
): void {
  let from = 0;
  for (let i = 0; i < userIds.length; i++) {
    const f1 = reply.indexOf('\x1f', from);
    const f2 = reply.indexOf('\x1f', f1 + 1);
    const f3 = reply.indexOf('\x1f', f2 + 1);
    const f4 = reply.indexOf('\x1f', f3 + 1);
    const end = reply.indexOf('\x1e', f4 + 1);
    const room = f2 > f1 + 1 ? reply.slice(f1 + 1, f2) : null;
    const last = f3 > f2 + 1 ? Number(reply.slice(f2 + 1, f3)) : null;
    connections[at(i)] = toConnection(userIds[i]!, Number(reply.slice(from, f1)), room, last, f4 > f3 + 1);
    guilds[at(i)] = reply.slice(f4 + 1, end);
    from = end + 1;
  }
}

/** presence-snapshot replies (single node and Cluster): {userId, sessionCount, pending 0|1, guilds, version, ...}. */
export function decodePresenceSnapshot(flat: ReadonlyArray<string | number>): PresenceSnapshotEntry[] {
  const entries: PresenceSnapshotEntry[] = [];
  for (let i = 0; i < flat.length; i += 5) {
    const sessionCount = Number(flat[i + 1]);
    entries.push({
      userId: String(flat[i]),
      sessionCount,
      online: sessionCount > 0 || flat[i + 2] === 1,
      guildIds: typeof flat[i + 3] === 'string' && flat[i + 3] !== '' ? String(flat[i + 3]).split('\n') : [],
      version: Number(flat[i + 4]),
    });
  }
  return entries;
}
