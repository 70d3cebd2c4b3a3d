import { badInput } from '../../errors.js';
import { offlineConnection, sessionContent, toSession } from '../records.js';
import { presenceView } from '../status.js';
import { fieldsOf } from './store.js';
import type { StateEngine } from '../engine.js';
import type { MemoryStore } from './store.js';
import type { SessionSteps } from './sessions-steps.js';

/** Sessions, presence and presence snapshots. */
export function memorySessions(
  { sessionOwners, guildOnline, liveUser }: MemoryStore,
  { openSession, closeSession, connectionOf }: SessionSteps,
): Pick<
  StateEngine,
  'connectSession' | 'disconnectSession' | 'getSession' | 'connectionStates' | 'presenceSnapshot'
> {
  return {
    async connectSession(input, now) {
      const opened = openSession(input.userId, input.sessionId, sessionContent(input), now);
      if (opened.status === 'OWNED') throw badInput(`session ${input.sessionId} belongs to another user`);
      if (opened.status === 'TOMB') {
        const user = liveUser(input.userId);
        return { changed: false, session: null, connection: user ? connectionOf(input.userId, user) : offlineConnection(input.userId) };
      }
      return {
        changed: opened.status === 'CHANGED',
        session: toSession(input.sessionId, input.userId, opened.record),
        connection: connectionOf(input.userId, opened.user),
      };
    },

    async disconnectSession(sessionId, now) {
      const closed = closeSession(sessionId, now);
      if (!closed) return { changed: false, session: null, connection: null };
      return {
        changed: true,
        session: toSession(sessionId, closed.userId, closed.record),
        connection: connectionOf(closed.userId, closed.user),
      };
    },

    async getSession(sessionId) {
      const userId = sessionOwners.get(sessionId);
      const record = userId === undefined ? undefined : liveUser(userId)?.sessions.get(sessionId);
      return userId === undefined || !record ? null : toSession(sessionId, userId, record);
    },

    async connectionStates(userIds) {
      const users = userIds.map(liveUser);
      return {
        connections: userIds.map((userId, i) => (users[i] ? connectionOf(userId, users[i]) : offlineConnection(userId))),
        guildIdsOf: (i) => users[i]?.guildIds ?? [],
      };
    },

    async presenceSnapshot(target) {
      const ids = 'guildId' in target ? [...(guildOnline.get(target.guildId) ?? [])] : target.userIds;
      return ids.map((userId) => {
        const user = liveUser(userId);
        const view = user ? presenceView(fieldsOf(user)) : null;
        return {
          userId,
          sessionCount: user?.sessions.size ?? 0,
          online: view?.online ?? false,
          guildIds: user?.guildIds ?? [],
          version: user?.version ?? 0,
          status: view?.status ?? 'OFFLINE',
          platforms: view?.platforms ?? [],
          customStatus: view?.customStatus ?? null,
        };
      });
    },

  };
}
