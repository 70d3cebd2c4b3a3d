/**
 * Every Redis key the engine uses, built in one place. The `{…}` hash tag puts
 * all of a user's (or a guild's) data in one Cluster slot. `lua/lib.lua`
 * builds the same names for keys a script only learns while it runs.
 */
export function createKeys(prefix: string) {
  return {
    /** HASH: the user's sessions (`s:<sessionId>`), `n` session count, `room`, `last` (lastSeenAt), `vg`/`vc` voice guild and channel, `ts` study timer start, `q` sequence. */
    user: (userId: string) => `${prefix}user:{${userId}}`,
    /** STRING: sessionId → userId, so a disconnect needs only the session id. */
    session: (sessionId: string) => `${prefix}session:{${sessionId}}`,
    /** HASH: userId → channelId for everyone in a voice channel of the guild. */
    voice: (guildId: string) => `${prefix}guild:{${guildId}}:voice`,
    /** HASH: userId → seconds studied on the day. */
    studyTotals: (day: string) => `${prefix}study:{${day}}:totals`,
    /** ZSET (scores 0): the day's user ids, paged by ZRANGEBYLEX. */
    studyMembers: (day: string) => `${prefix}study:{${day}}:users`,
    /** STRING: the day's closing summary; its existence means the day is closed. */
    studyClosed: (day: string) => `${prefix}study:{${day}}:closed`,
    /** ZSET: userId → start (epoch ms) of every running study timer. */
    studyTimers: () => `${prefix}study:timers`,
    /** STRING: a caller's operation count in one rate-limit window. */
    rateLimit: (caller: string, window: number) => `${prefix}rate:{${caller}}:${window}`,
    /** A pub/sub channel for a topic of `src/pubsub/topics.ts`. */
    channel: (topic: string) => `${prefix}${topic}`,
  };
}

export type Keys = ReturnType<typeof createKeys>;
