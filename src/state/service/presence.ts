import { badInput } from '../../errors.js';
import { topics } from '../topics.js';
import { withSnapshot } from '../../pubsub/with-snapshot.js';
import { assertId, assertIdList, assertIdSet, assertInt, assertOptionalId } from '../../validate.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { assertPosition, presenceResync } from '../resume.js';
import { resumeFrom } from './resume.js';
import { offlineConnection } from '../records.js';
import { asSeenByUsers, unexpired } from '../status.js';
import { assertActivity, assertPlatform } from './status.js';
import type { ConnectSessionArgs, StateService, StateServiceDeps } from './contract.js';
import type { PresenceEvent, SessionItem } from '../types.js';
import { BATCH_LIMIT, refusedItem } from '../batch.js';

export const sessionInput = (input: ConnectSessionArgs, field = 'input') => ({
  sessionId: assertId(input.sessionId, `${field}.sessionId`),
  userId: assertId(input.userId, `${field}.userId`),
  guildIds: assertIdSet(input.guildIds, `${field}.guildIds`),
  roomId: assertOptionalId(input.roomId, `${field}.roomId`),
  nodeId: assertOptionalId(input.nodeId, `${field}.nodeId`),
  activity: assertActivity(input.activity, `${field}.activity`),
  platform: assertPlatform(input.platform, `${field}.platform`),
});

/** A live event a subscriber gets: transitions, and status changes when asked for. */
const transition = (e: PresenceEvent) => e.state !== e.previousState;


type PresencePart = Pick<
  StateService,
  'connectSession' | 'disconnectSession' | 'connectSessions' | 'disconnectSessions' | 'session' | 'connectionStates' | 'presenceChanged' | 'onlineMembers'
>;

/** onlineMembers page sizes. */
export const MEMBERS_PAGE = { default: 100, max: 1000 } as const;

/**
 * A batch's items validated one by one: the valid ones go to the engine in
 * one call, an invalid one gets its own BAD_USER_INPUT in its place.
 */
async function batch<T, V>(items: readonly T[], field: string, validate: (item: T, field: string) => V, run: (valid: V[]) => Promise<SessionItem[]>) {
  if (items.length > BATCH_LIMIT) throw badInput(`${field} holds at most ${BATCH_LIMIT} items, got ${items.length}`);
  const out = new Array<SessionItem>(items.length);
  const valid: V[] = [];
  const at: number[] = [];
  items.forEach((item, i) => {
    try {
      valid.push(validate(item, `${field}[${i}]`));
      at.push(i);
    } catch (error) {
      out[i] = refusedItem(error);
    }
  });
  if (valid.length > 0) (await run(valid)).forEach((result, j) => (out[at[j]!] = result));
  return out;
}

/** Sessions and presence: validation, the clock, one engine call each. */
export function presenceService({ engine, bus, clock }: StateServiceDeps): PresencePart {
  return {
    connectSession: async (input) => engine.connectSession(sessionInput(input, 'input'), clock.now()),
    disconnectSession: async (sessionId) => engine.disconnectSession(assertId(sessionId, 'sessionId'), clock.now()),
    connectSessions: (inputs) => batch(inputs, 'inputs', sessionInput, (valid) => engine.connectSessions(valid, clock.now())),
    disconnectSessions: (sessionIds) => batch(sessionIds, 'sessionIds', assertId, (valid) => engine.disconnectSessions(valid, clock.now())),
    session: async (sessionId) => engine.getSession(assertId(sessionId, 'sessionId')),
    async onlineMembers(guildId, first, after) {
      const guild = assertId(guildId, 'guildId');
      const size = first === null || first === undefined ? MEMBERS_PAGE.default : assertInt(first, 'first', 1, MEMBERS_PAGE.max);
      const page = await engine.onlineMembers(guild, size, decodeCursor(after, 'onlineMembers'));
      const now = clock.now();
      return {
        guildId: guild,
        entries: page.entries.map((m) => unexpired(m, now)),
        endCursor: page.lastRead === null ? null : encodeCursor(page.lastRead),
        hasNextPage: page.hasNextPage,
      };
    },
    async connectionStates(userIds, viewer = null) {
      const { connections, guildIdsOf } = await engine.connectionStates(assertIdList(userIds, 'userIds'));
      const now = clock.now();
      if (viewer === null) return connections.map((c) => unexpired(c, now));
      // A user token sees users who share none of its guilds as unknown, and an invisible user as OFFLINE.
      return connections.map((c, i) =>
        c.userId === viewer.userId || guildIdsOf(i).some((g) => viewer.guildIds.has(g)) ? unexpired(asSeenByUsers(c), now) : offlineConnection(c.userId),
      );
    },
    async presenceChanged({ guildId, userIds, includeSnapshot, statusChanges, after }) {
      const users = userIds === null || userIds === undefined ? null : assertIdSet(userIds, 'userIds');
      const guild = guildId === null || guildId === undefined ? null : assertId(guildId, 'guildId');
      if (guild === null && (!users || users.length === 0)) {
        throw badInput('presenceChanged needs a guildId or at least one userId');
      }
      // Both filters: the guild's view, narrowed to those users.
      const position = assertPosition(after, 'after');
      if (position !== null && guild === null) throw badInput('after resumes a guild stream: it needs a guildId');
      const only = guild !== null && users && users.length > 0 ? new Set(users) : null;
      const kinds = statusChanges ? null : transition;
      const filter = only ? (e: PresenceEvent) => only.has(e.userId) && (!kinds || kinds(e)) : kinds;
      const live =
        guild === null
          ? await bus.subscribe(users!.map((id) => topics.presenceUser(id)), kinds ? { filter: kinds } : {})
          : await bus.subscribe([topics.presenceGuild(guild)], filter ? { filter } : {});
      if (position !== null) {
        return resumeFrom(live, position, () => engine.presenceLog(guild!, position), filter, (tail) => presenceResync(guild!, clock.now(), tail));
      }
      if (!includeSnapshot) return live;

      // Subscribed first, so nothing published from now on is missed.
      try {
        const entries = await engine.presenceSnapshot(guild === null ? { userIds: users! } : { guildId: guild });
        const now = clock.now();
        const snapshot: PresenceEvent[] = entries
          // A guild's view never shows an invisible user; one still in it has their OFFLINE on its way.
          .filter((e) => (!only || only.has(e.userId)) && (guild === null || e.status !== 'INVISIBLE'))
          .map((e) => {
            const state = e.online ? 'ONLINE' : 'OFFLINE';
            const guildIds = guild === null ? e.guildIds : [guild];
            return unexpired({
              userId: e.userId,
              state,
              previousState: state,
              status: e.status,
              previousStatus: e.status,
              platforms: e.platforms,
              customStatus: e.customStatus,
              sessionCount: e.sessionCount,
              guildIds,
              at: now,
              version: e.version,
              snapshot: true,
              position: null,
            }, now);
          });
        const seen = new Map(entries.map((e) => [e.userId, e.version]));
        return withSnapshot(snapshot, live, (event) => event.version > (seen.get(event.userId) ?? 0));
      } catch (error) {
        await live.return?.();
        throw error;
      }
    },
  };
}
