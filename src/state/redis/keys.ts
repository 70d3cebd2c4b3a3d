import { bucketOf, render } from '../names.js';
import { keyNames as n, NODE_BUCKETS, SESSION_BUCKETS } from './names.js';

/**
 * Every Redis key of the single-Redis engine, rendered from the templates
 * of names.ts (the scripts' Lua builders are generated from the same). The
 * `{…}` hash tag keeps all of a user's (or a guild's) data together.
 */
export { bucketOf, NODE_BUCKETS, SESSION_BUCKETS };

export function createKeys(prefix: string) {
  const key = (name: (typeof n)[keyof typeof n], ...args: Array<string | number>) => prefix + render(name, args);
  return {
    /** HASH: the user's sessions (`s:<sessionId>`) and summary fields; see lua/lib/session-records.lua. */
    user: (userId: string) => key(n.user, userId),
    /** HASH: sessionId → userId for the sessions of one bucket, so a disconnect needs only the session id. */
    session: (sessionId: string) => key(n.session, sessionId),
    /** HASH: userId → channelId for everyone in a voice channel of the guild. */
    voice: (guildId: string) => key(n.voice, guildId),
    /** STRING: the guild's voice version, raised by every voice event. */
    voiceVersion: (guildId: string) => key(n.voiceVersion, guildId),
    /** STREAM (capped): the guild's presence events, for resuming subscribers (resume.ts). */
    presenceLog: (guildId: string) => key(n.presenceLog, guildId),
    /** STREAM (capped): the guild's voice events, for resuming subscribers. */
    voiceLog: (guildId: string) => key(n.voiceLog, guildId),
    /** ZSET (scores 0): users online as seen from the guild, paged by id (ZRANGEBYLEX) for onlineMembers. */
    guildOnline: (guildId: string) => key(n.guildOnline, guildId),
    /** STRING: a closed session's tombstone, so a late CONNECT is ignored. */
    tombstone: (sessionId: string) => key(n.tombstone, sessionId),
    /** ZSET: gateway nodeId → lease expiry (epoch ms). */
    nodes: () => key(n.nodes),
    /** HASH: sessionId → '' for the node's sessions of one bucket. */
    nodeSessions: (nodeId: string, sessionId: string) => key(n.nodeSessions, nodeId, bucketOf(sessionId, NODE_BUCKETS)),
    /** ZSET: sessionId → connectedAt of sessions without a node, for SESSION_MAX_AGE_SECONDS. */
    unleasedSessions: () => key(n.unleasedSessions),
    /** ZSET: userId → when their held-back OFFLINE is due (PRESENCE_GRACE_MS). */
    pendingOffline: () => key(n.pendingOffline),
    /** ZSET: userId → when their custom status expires. */
    statusExpiry: () => key(n.statusExpiry),
    /** STRING: a maintenance lock, held by one instance per sweep. */
    lock: (name: string) => key(n.lock, name),
    /** HASH: userId → seconds studied on the day. */
    studyTotals: (day: string) => key(n.studyTotals, day),
    /** ZSET (scores 0): the day's user ids, paged by ZRANGEBYLEX. */
    studyMembers: (day: string) => key(n.studyMembers, day),
    /** STRING: the day's closing summary; its existence means the day is closed. */
    studyClosed: (day: string) => key(n.studyClosed, day),
    /** ZSET: userId → start (epoch ms) of every running study timer. */
    studyTimers: () => key(n.studyTimers),
    /** STRING: a relayed room event by its eventId (JSON), so a retry is published once. */
    roomEvent: (roomId: string, eventId: string) => key(n.roomEvent, roomId, eventId),
    /** A pub/sub channel for a topic of `src/state/topics.ts`. */
    channel: (topic: string) => `${prefix}${topic}`,
  };
}

export type Keys = ReturnType<typeof createKeys>;
