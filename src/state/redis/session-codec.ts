import { connectionOf, type SessionContent, type SessionRecord, type StoredConnection } from '../records.js';
import { presenceView } from '../status.js';
import type { ChosenStatus, CustomStatus, PresenceSnapshotEntry, UserConnection } from '../types.js';

// How lua/lib/session-records.lua stores a session: '\n'-separated fields instead of JSON
// (ids hold no control characters), so a session with typical ids fits
// hash-max-listpack-value and the user hash stays a compact listpack.

/** Content as the scripts take it: 'flags\nnode\nroom\nguild1\nguild2...', absent fields empty. */
export const encodeContent = (c: SessionContent) => [c.f ?? '', c.n ?? '', c.r ?? '', ...(c.g ?? [])].join('\n');

/** A stored record: 'q\ntF\nnode\nroom\nguild1...', F the flags right after the digits of t. */
export function decodeRecord(text: string): SessionRecord {
  const [q, tf, n, r, ...g] = text.split('\n');
  const digits = /^\d+/.exec(tf!)![0];
  const rec: SessionRecord = { q: Number(q), t: Number(digits) };
  if (tf!.length > digits.length) rec.f = tf!.slice(digits.length);
  if (n) rec.n = n;
  if (r) rec.r = r;
  if (g.length > 0) rec.g = g;
  return rec;
}

const chosenOf = (st: string | undefined): ChosenStatus => (st === 'DND' || st === 'INVISIBLE' ? st : 'ONLINE');
const customOf = (cs: string | undefined): CustomStatus | null => (cs ? (JSON.parse(cs) as CustomStatus) : null);
const lineList = (text: string | undefined) => (text ? text.split('\n') : []);
const numOrNull = (text: string | undefined) => (text ? Number(text) : null);

/** A connection_record's fields ('sessionCount\x1froom\x1flastSeenAt\x1fpending\x1fguilds\x1fst\x1fcs\x1fsa\x1fvl'). */
export function decodeStoredConnection(record: string): StoredConnection & { guilds: string } {
  const [n, room, last, pend, g, st, cs, sa, vl] = record.split('\x1f');
  return storedConnection({ n, room, last, pend, g, st, cs, sa, vl });
}

/** The user hash's presence fields (lib/session-records.lua; absent ones undefined or empty) as a stored connection. */
export function storedConnection(f: Partial<Record<'n' | 'room' | 'last' | 'pend' | 'g' | 'st' | 'cs' | 'sa' | 'vl', string>>): StoredConnection & { guilds: string } {
  const { n, room, last, pend, g, st, cs, sa, vl } = f;
  return {
    sessionCount: Number(n || 0),
    roomId: room || null,
    lastSeenAt: numOrNull(last),
    pending: pend !== undefined && pend !== '',
    guilds: g ?? '',
    guildIds: lineList(g),
    chosen: chosenOf(st),
    customStatus: customOf(cs),
    code: sa || 'a',
    hiddenLastSeenAt: numOrNull(vl),
  };
}

/** One connection_record (ending in '\x1e') as a connection. */
export const decodeConnection = (userId: string, record: string): UserConnection =>
  connectionOf(userId, decodeStoredConnection(record.endsWith('\x1e') ? record.slice(0, -1) : record));

/**
 * The reply of a connection-states script (one string of connection_record
 * records, each ending in '\x1e'), decoded into `connections[at[i]]` /
 * `guilds[at[i]]` for `userIds[i]`.
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
    const end = reply.indexOf('\x1e', from);
    const stored = decodeStoredConnection(reply.slice(from, end));
    connections[at(i)] = connectionOf(userIds[i]!, stored);
    guilds[at(i)] = stored.guilds;
    from = end + 1;
  }
}

/** presence-snapshot replies (single node and Cluster): {userId, sessionCount, pending 0|1, guilds, version, st, sa, cs, ...}. */
export function decodePresenceSnapshot(flat: ReadonlyArray<string | number>): PresenceSnapshotEntry[] {
  const entries: PresenceSnapshotEntry[] = [];
  const text = (v: string | number | undefined) => (typeof v === 'string' ? v : '');
  for (let i = 0; i < flat.length; i += 8) {
    const sessionCount = Number(flat[i + 1]);
    const view = presenceView({
      sessionCount,
      pending: flat[i + 2] === 1,
      code: text(flat[i + 6]) || 'a',
      chosen: chosenOf(text(flat[i + 5])),
      customStatus: customOf(text(flat[i + 7])),
      guildIds: [],
    });
    entries.push({
      userId: String(flat[i]),
      sessionCount,
      online: view.online,
      guildIds: lineList(text(flat[i + 3])),
      version: Number(flat[i + 4]),
      status: view.status,
      platforms: view.platforms,
      customStatus: view.customStatus,
    });
  }
  return entries;
}
