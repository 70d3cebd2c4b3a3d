import type { StateEngine } from '../engine.js';
import { presenceView } from '../status.js';
import { toSession } from '../records.js';
import { fieldsOf, summarize, type MemoryStore } from './store.js';
import type { SessionSteps } from './sessions-steps.js';

/** Chosen and custom status, and session activity (set-user-status.lua, set-session-activity.lua). */
export function memoryStatus(
  { users, sessionOwners, statusExpiry, liveUser, userFor, publishChanges, retentionMs }: MemoryStore,
  { connectionOf }: SessionSteps,
): Pick<StateEngine, 'setUserStatus' | 'setSessionActivity'> {
  return {
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
