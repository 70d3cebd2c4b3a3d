import type { Activity, ChosenStatus, CustomStatus, OnlineMember, Platform, PresenceEvent, UserConnection, UserStatus } from './types.js';

/**
 * The status rule (docs/semantics.md, "Status"), written once for
 * TypeScript; lua/lib/status.lua is its Redis twin and the contract suite
 * holds them together. A session's flags: 'i' when idle, then its platform's
 * letter. The sessions' activity code: 'a' when any session is active, else
 * 'i', then the letters of the platforms on line, in enum order.
 */
export const PLATFORMS: readonly Platform[] = ['DESKTOP', 'MOBILE', 'WEB'];
const LETTER: Record<Platform, string> = { DESKTOP: 'd', MOBILE: 'm', WEB: 'w' };
const BY_LETTER: Record<string, Platform> = { d: 'DESKTOP', m: 'MOBILE', w: 'WEB' };

export const sessionFlags = (activity: Activity | undefined, platform: Platform | null | undefined) => (activity === 'IDLE' ? 'i' : '') + (platform ? LETTER[platform] : '');
export const activityOf = (flags = ''): Activity => (flags.includes('i') ? 'IDLE' : 'ACTIVE');
export const platformOf = (flags = ''): Platform | null => BY_LETTER[flags.replace('i', '')] ?? null;

/** The activity code of sessions with these flags. */
export function activityCode(flags: Iterable<string | undefined>): string {
  let active = false;
  const seen = new Set<string>();
  for (const f of flags) {
    if (!(f ?? '').includes('i')) active = true;
    for (const l of f ?? '') if (l !== 'i') seen.add(l);
  }
  return (active ? 'a' : 'i') + PLATFORMS.map((p) => LETTER[p]).filter((l) => seen.has(l)).join('');
}

/** What presence reads and events are built from: a user's stored fields, as both engines keep them. */
export interface PresenceFields {
  sessionCount: number;
  /** An OFFLINE is held back (PRESENCE_GRACE_MS): still online, showing what the last session showed. */
  pending: boolean;
  /** The sessions' activity code; kept while pending. */
  code: string;
  chosen: ChosenStatus;
  customStatus: CustomStatus | null;
  /** Guilds of the live sessions (the last ones while pending or offline). */
  guildIds: readonly string[];
}

export interface PresenceView {
  online: boolean;
  /** The truth, INVISIBLE included. */
  status: UserStatus;
  platforms: Platform[];
  customStatus: CustomStatus | null;
  /** Guilds see the user online. */
  visible: boolean;
  guildIds: readonly string[];
  sessionCount: number;
}

/** The shown status: OFFLINE without a live session; the chosen DND or INVISIBLE; else ONLINE if a session is active, IDLE if all are idle. */
export function presenceView(f: PresenceFields): PresenceView {
  const online = f.sessionCount > 0 || f.pending;
  const status: UserStatus = !online ? 'OFFLINE' : f.chosen !== 'ONLINE' ? f.chosen : f.code.startsWith('i') ? 'IDLE' : 'ONLINE';
  return {
    online,
    status,
    platforms: online ? [...f.code].flatMap((l) => (BY_LETTER[l] ? [BY_LETTER[l]!] : [])) : [],
    customStatus: online ? f.customStatus : null,
    visible: online && status !== 'INVISIBLE',
    guildIds: online ? f.guildIds : [],
    sessionCount: f.sessionCount,
  };
}

/** One event of a change, and where it goes (presence_changes in lua/lib/status.lua). */
export interface PresenceChange
  extends Pick<PresenceEvent, 'state' | 'previousState' | 'status' | 'previousStatus' | 'platforms' | 'customStatus' | 'sessionCount' | 'guildIds'> {
  /** Also (or only, `onlyUser`) on the user's own channel, which carries the truth. */
  user: boolean;
  onlyUser: boolean;
}

const sameStatus = (b: PresenceView, a: PresenceView) =>
  b.status === a.status && JSON.stringify(b.customStatus) === JSON.stringify(a.customStatus) && b.platforms.join() === a.platforms.join();

/**
 * The events from view b to view a. Guilds hear ONLINE where they start
 * seeing the user, OFFLINE where they stop, a status change (ONLINE to
 * ONLINE) where they go on seeing them; the user's channel hears a
 * transition or a status change, sharing a guild event when that event is
 * the truth too (no INVISIBLE on either side).
 */
export function presenceChanges(b: PresenceView, a: PresenceView): PresenceChange[] {
  const vb = new Set(b.visible ? b.guildIds : []);
  const va = new Set(a.visible ? a.guildIds : []);
  const added = [...va].filter((g) => !vb.has(g)).sort();
  const removed = [...vb].filter((g) => !va.has(g)).sort();
  const kept = [...va].filter((g) => vb.has(g)).sort();
  const same = sameStatus(b, a);
  const transition = b.online !== a.online;
  const truthful = b.status !== 'INVISIBLE' && a.status !== 'INVISIBLE';
  const out: PresenceChange[] = [];
  let told = false;
  const group = (c: Omit<PresenceChange, 'onlyUser'>) => {
    told ||= c.user;
    out.push({ ...c, onlyUser: false });
  };
  if (added.length > 0) {
    group({ state: 'ONLINE', previousState: 'OFFLINE', status: a.status, previousStatus: 'OFFLINE', platforms: a.platforms, customStatus: a.customStatus, sessionCount: a.sessionCount, guildIds: added, user: truthful && transition });
  }
  if (removed.length > 0) {
    group({ state: 'OFFLINE', previousState: 'ONLINE', status: 'OFFLINE', previousStatus: b.status, platforms: [], customStatus: null, sessionCount: a.visible ? a.sessionCount : 0, guildIds: removed, user: truthful && transition });
  }
  if (kept.length > 0 && !same) {
    group({ state: 'ONLINE', previousState: 'ONLINE', status: a.status, previousStatus: b.status, platforms: a.platforms, customStatus: a.customStatus, sessionCount: a.sessionCount, guildIds: kept, user: truthful && !transition });
  }
  if ((transition || !same) && !told) {
    out.push({
      state: a.online ? 'ONLINE' : 'OFFLINE',
      previousState: b.online ? 'ONLINE' : 'OFFLINE',
      status: a.status,
      previousStatus: b.status,
      platforms: a.platforms,
      customStatus: a.customStatus,
      sessionCount: a.sessionCount,
      guildIds: [...(a.online ? a.guildIds : b.guildIds)].sort(),
      user: true,
      onlyUser: true,
    });
  }
  return out;
}

/** A connection as a user token sees it: an invisible user is OFFLINE, last seen when they went invisible. */
export function asSeenByUsers(c: UserConnection): UserConnection {
  if (c.hiddenLastSeenAt === undefined) return c;
  const { hiddenLastSeenAt: _, ...shown } = c;
  if (c.status !== 'INVISIBLE') return { ...shown, lastSeenAt: c.hiddenLastSeenAt };
  return { userId: c.userId, state: 'OFFLINE', sessionCount: 0, roomId: null, lastSeenAt: c.hiddenLastSeenAt ?? null, status: 'OFFLINE', platforms: [], customStatus: null };
}

/**
 * What has a custom status, as read at `now`: one past its expiry reads as
 * none, though the sweep that clears and announces it may not have run yet.
 */
export function unexpired<T extends { customStatus: CustomStatus | null }>(value: T, now: number): T {
  const at = value.customStatus?.expiresAt;
  return at !== undefined && at !== null && at <= now ? { ...value, customStatus: null } : value;
}

/** A guild view's member from their connection (the truth): null when the view no longer shows them (offline or invisible meanwhile). */
export const asOnlineMember = (c: UserConnection): OnlineMember | null =>
  c.state !== 'ONLINE' || c.status === 'INVISIBLE' ? null : { userId: c.userId, status: c.status, platforms: c.platforms, customStatus: c.customStatus };

/** onlineMembers' answer from the ids read (first + 1 at most) and their connections. */
export function memberPage(ids: readonly string[], first: number, connectionOfId: (i: number) => UserConnection) {
  const read = ids.slice(0, first);
  return {
    entries: read.flatMap((_, i) => asOnlineMember(connectionOfId(i)) ?? []),
    lastRead: read.at(-1) ?? null,
    hasNextPage: ids.length > first,
  };
}
