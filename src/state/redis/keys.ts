/**
 * Every Redis key the engine uses, built in one place. The `{…}` hash tag puts
 * all of a user's (or a guild's) data in one Cluster slot. `lua/lib/keys.lua`
 * builds the same names for keys a script only learns while it runs.
 */
/** How many hashes hold the sessionId → userId index (lua/lib/keys.lua uses the same). */
export const SESSION_BUCKETS = 16_384;
/** How many hashes hold one gateway node's session ids (lua/lib/keys.lua uses the same). */
export const NODE_BUCKETS = 256;

/** The bucket of an id: a hash of its UTF-8 bytes, as bucket_of in lua/lib/keys.lua. */
export function bucketOf(id: string, buckets: number): number {
  let h = 0;
  for (const byte of Buffer.from(id, 'utf8')) h = (h * 31 + byte) % buckets;
  return h;
}

export function createKeys(prefix: string) {
  return {
    /** HASH: the user's sessions (`s:<sessionId>`) and summary fields; see lua/lib/session-records.lua. */
    user: (userId: string) => `${prefix}user:{${userId}}`,
    /** HASH: sessionId → userId for the sessions of one bucket, so a disconnect needs only the session id. */
    session: (sessionId: string) => `${prefix}sessions:{${bucketOf(sessionId, SESSION_BUCKETS)}}`,
    /** HASH: userId → channelId for everyone in a voice channel of the guild. */
    voice: (guildId: string) => `${prefix}guild:{${guildId}}:voice`,
    /** STRING: the guild's voice version, raised by every voice event. */
    voiceVersion: (guildId: string) => `${prefix}guild:{${guildId}}:voice:v`,
    /** SET: users online as seen from the guild (for snapshots). */
    guildOnline: (guildId: string) => `${prefix}guild:{${guildId}}:online`,
    /** STRING: a closed session's tombstone, so a late CONNECT is ignored. */
    tombstone: (sessionId: string) => `${prefix}tomb:{${sessionId}}`,
    /** ZSET: gateway nodeId → lease expiry (epoch ms). */
    nodes: () => `${prefix}nodes`,
    /** HASH: sessionId → '' for the node's sessions of one bucket (built in lua/lib/keys.lua). */
    nodeSessions: (nodeId: string, sessionId: string) => `${prefix}node:{${nodeId}}:sessions:${bucketOf(sessionId, NODE_BUCKETS)}`,
    /** ZSET: sessionId → connectedAt of sessions without a node, for SESSION_MAX_AGE_SECONDS. */
    unleasedSessions: () => `${prefix}sessions:unleased`,
    /** ZSET: userId → when their held-back OFFLINE is due (PRESENCE_GRACE_MS). */
    pendingOffline: () => `${prefix}presence:pending`,
    /** STRING: a maintenance lock, held by one instance per sweep. */
    lock: (name: string) => `${prefix}lock:${name}`,
    /** HASH: userId → seconds studied on the day. */
    studyTotals: (day: string) => `${prefix}study:{${day}}:totals`,
    /** ZSET (scores 0): the day's user ids, paged by ZRANGEBYLEX. */
    studyMembers: (day: string) => `${prefix}study:{${day}}:users`,
    /** STRING: the day's closing summary; its existence means the day is closed. */
    studyClosed: (day: string) => `${prefix}study:{${day}}:closed`,
    /** ZSET: userId → start (epoch ms) of every running study timer. */
    studyTimers: () => `${prefix}study:timers`,
    /** STRING: a relayed room event by its eventId (JSON), so a retry is published once. */
    roomEvent: (roomId: string, eventId: string) => `${prefix}room:{${roomId}}:event:${eventId}`,
    /** A pub/sub channel for a topic of `src/state/topics.ts`. */
    channel: (topic: string) => `${prefix}${topic}`,
  };
}

export type Keys = ReturnType<typeof createKeys>;
