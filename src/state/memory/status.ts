import type { StateEngine } from '../engine.js';
import { presenceView } from '../status.js';
import { offlineConnection, toSession } from '../records.js';
import type { PresenceExplanation } from '../types.js';

const EMPTY: Omit<PresenceExplanation, 'userId' | 'connection'> = {
  sessions: [],
  pendingSince: null,
  pendingDueAt: null,
  lastClosed: null,
  chosenStatus: 'ONLINE',
  customStatus: null,
  voice: null,
  studyTimerStartedAt: null,
};
import { fieldsOf, summarize, type MemoryStore } from './store.js';
import type { SessionSteps } from './sessions-steps.js';

/** Chosen and custom status, and session activity (set-user-status.lua, set-session-activity.lua). */
export function memoryStatus(
  { users, sessionOwners, statusExpiry, nodes, pending, timers, tombstoned, liveUser, userFor, publishChanges, retentionMs }: MemoryStore,
  { connectionOf }: SessionSteps,
): Pick<StateEngine, 'setUserStatus' | 'setSessionActivity' | 'presenceExplain'> {
  return {
    async presenceExplain(userId) {
      const user = liveUser(userId);
      if (!user) return { ...EMPTY, userId, connection: offlineConnection(userId) };
      const sessions = [...user.sessions].map(([sessionId, record]) => {
        const session = toSession(sessionId, userId, record);
        return { ...session, leaseExpiresAt: session.nodeId === null ? null : (nodes.get(session.nodeId) ?? null) };
      });
      return {
        userId,
        connection: connectionOf(userId, user),
        sessions: sessions.sort((a, b) => a.connectedAt - b.connectedAt || (a.sessionId < b.sessionId ? -1 : 1)),
        pendingSince: user.pendingSince,
        pendingDueAt: user.pendingSince === null ? null : (pending.get(userId) ?? null),
        lastClosed: user.lastClosed && { ...user.lastClosed, tombstoned: tombstoned(user.lastClosed.sessionId) },
        chosenStatus: user.chosen,
        customStatus: user.customStatus,
        voice: user.voice,
        studyTimerStartedAt: timers.get(userId) ?? null,
      };
    },

    async setUserStatus({ userId, status, customStatus }, now) {
      const known = liveUser(userId) !== undefined;
      const user = userFor(userId);
      const before = presenceView(fieldsOf(user));
      // Users see an invisible user's lastSeenAt as when they went invisible.
      if (status === 'INVISIBLE' && user.chosen !== 'INVISIBLE') user.hiddenLastSeenAt = before.visible ? now : user.lastSeenAt;
      else if (status !== 'INVISIBLE') user.hiddenLastSeenAt = null;
      user.chosen = status;
      if (customStatus !== undefined) {
        user.customStatus = customStatus;
        if (customStatus?.expiresAt != null) statusExpiry.set(userId, customStatus.expiresAt);
        else statusExpiry.delete(userId);
      }
      const keeps = user.chosen !== 'ONLINE' || user.customStatus !== null;
      // An offline user's choice is kept as long as the rest of their record; nothing to keep, no record.
      if (!before.online && keeps) user.expiresAt = now + retentionMs;
      else if (!before.online && !known) users.delete(userId);
      publishChanges(userId, user, before, now);
      return connectionOf(userId, user);
    },

    async setSessionActivity(sessionId, activity, now) {
      const userId = sessionOwners.get(sessionId);
      const user = userId === undefined ? undefined : liveUser(userId);
      const record = user?.sessions.get(sessionId);
      if (!user || !record || userId === undefined) return { changed: false, session: null, connection: null };
      const flags = (activity === 'IDLE' ? 'i' : '') + (record.f ?? '').replace('i', '');
      if (flags === (record.f ?? '')) return { changed: false, session: toSession(sessionId, userId, record), connection: connectionOf(userId, user) };
      const before = presenceView(fieldsOf(user));
      if (flags === '') delete record.f;
      else record.f = flags;
      user.code = summarize(user.sessions).code;
      publishChanges(userId, user, before, now);
      return { changed: true, session: toSession(sessionId, userId, record), connection: connectionOf(userId, user) };
    },
  };
}
