import { connectionOf as toConnection, sameContent, type SessionContent, type SessionRecord } from '../records.js';
import { presenceView } from '../status.js';
import { missingFrom, addTo, removeFrom, summarize, fieldsOf, type MemoryStore, type UserRecord } from './store.js';

/** Opening and closing sessions, shared by connects, disconnects, node sync and reaping (see lua/lib/sessions.lua). */
export function sessionSteps({ sessionOwners, tombstones, nodes, nodeSessions, unleased, pending, liveUser, userFor, tombstoned, publishChanges, publishRoomOut, goOffline, graceMs, tombstoneSeconds, defaultLeaseMs }: MemoryStore) {
  /** Opens or updates a session; see open_session in lua/lib/sessions.lua. */
  function openSession(userId: string, sessionId: string, content: SessionContent, now: number) {
    if (tombstoned(sessionId)) return { status: 'TOMB' as const };
    const owner = sessionOwners.get(sessionId);
    if (owner !== undefined && owner !== userId) return { status: 'OWNED' as const };
    const user = userFor(userId);
    const before = summarize(user.sessions);
    const wasPending = before.count === 0 && user.pendingSince !== null;
    const beforeView = presenceView(fieldsOf(user));
    const old = user.sessions.get(sessionId);
    if (old && sameContent(old, content)) return { status: 'SAME' as const, user, record: old, after: before };

    user.seq += 1;
    const record: SessionRecord = { ...content, t: old ? old.t : now, q: user.seq };
    user.sessions.set(sessionId, record);
    sessionOwners.set(sessionId, userId);
    user.expiresAt = null;
    if (old?.n !== undefined && old.n !== record.n) removeFrom(nodeSessions, old.n, sessionId);
    if (record.n !== undefined) {
      addTo(nodeSessions, record.n, sessionId);
      // A node's lease starts with its first session (see open_session).
      if (!nodes.has(record.n)) nodes.set(record.n, now + defaultLeaseMs);
      unleased.delete(sessionId);
    } else {
      unleased.set(sessionId, record.t);
    }
    if (wasPending) {
      user.pendingSince = null;
      pending.delete(userId);
    }
    const after = summarize(user.sessions);
    user.guildIds = [...after.guilds].sort();
    user.code = after.code;
    publishChanges(userId, user, beforeView, now);
    for (const roomId of missingFrom(before.rooms, after.rooms)) publishRoomOut(roomId, userId, now);
    return { status: 'CHANGED' as const, user, record, after };
  }

  /** Closes a session and leaves a tombstone; see close_session in lua/lib/sessions.lua. */
  function closeSession(sessionId: string, now: number) {
    tombstones.set(sessionId, now + tombstoneSeconds * 1000);
    const userId = sessionOwners.get(sessionId);
    if (userId === undefined) return null;
    sessionOwners.delete(sessionId);
    const user = liveUser(userId);
    const record = user?.sessions.get(sessionId);
    if (!user || !record) return null;

    const before = summarize(user.sessions);
    const beforeView = presenceView(fieldsOf(user));
    user.sessions.delete(sessionId);
    user.lastClosed = { sessionId, closedAt: now };
    if (record.n !== undefined) removeFrom(nodeSessions, record.n, sessionId);
    else unleased.delete(sessionId);
    const after = summarize(user.sessions);
    if (after.count > 0) {
      user.guildIds = [...after.guilds].sort();
      user.code = after.code;
    }
    for (const roomId of missingFrom(before.rooms, after.rooms)) publishRoomOut(roomId, userId, now);

    if (after.count > 0) {
      publishChanges(userId, user, beforeView, now);
    } else if (graceMs > 0) {
      // Held back: the user shows what their last session showed until then.
      user.pendingSince = now;
      pending.set(userId, now + graceMs);
    } else {
      goOffline(userId, user, now, beforeView, now);
    }
    return { userId, user, record, after };
  }

  const connectionOf = (userId: string, user: UserRecord) =>
    toConnection(userId, { ...fieldsOf(user), roomId: summarize(user.sessions).room, lastSeenAt: user.lastSeenAt, hiddenLastSeenAt: user.hiddenLastSeenAt });

  return { openSession, closeSession, connectionOf };
}

export type SessionSteps = ReturnType<typeof sessionSteps>;
