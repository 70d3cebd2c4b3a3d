import calculateSlot from 'cluster-key-slot';
import { bucketOf } from '../redis/keys.js';

/**
 * Keys and channels of the Cluster layout (docs/cluster-layout.md), all
 * built here and passed to scripts in KEYS: no name is built in Lua.
 *
 * A user's data lives in the partition of their id, a session's index entry
 * in the partition of the session id, a guild's views under the guild's own
 * tag. Partition n's tag is chosen so it hashes into slots [256n, 256n+255]:
 * the 64 partitions then spread evenly over masters holding contiguous slot
 * ranges, and per-partition work is a fixed 64 calls.
 */
export const PARTITIONS = 64;
const SLOTS_PER_PARTITION = 16_384 / PARTITIONS;
/** Index buckets per session partition: a few entries a hash keep it a listpack. */
const INDEX_BUCKETS = 256;

/** The hash tag of each partition: the first `p<n>.<k>` whose slot falls in the partition's range. */
export const partitionTags: readonly string[] = Array.from({ length: PARTITIONS }, (_, n) => {
  for (let k = 0; ; k++) {
    const tag = `p${n}.${k}`;
    if (Math.floor(calculateSlot(tag) / SLOTS_PER_PARTITION) === n) return tag;
  }
});

export const partitionOf = (id: string) => bucketOf(id, PARTITIONS);

export function createClusterKeys(prefix: string) {
  const inPartition = (id: string) => `${prefix}{${partitionTags[partitionOf(id)]}}`;
  const ofPartition = (p: number) => `${prefix}{${partitionTags[p]}}`;
  const guild = (guildId: string) => `${prefix}guild:{${guildId}}`;
  return {
    /** HASH: the user's sessions and summary, as on a single Redis (lua/lib/session-records.lua). */
    user: (userId: string) => `${inPartition(userId)}:u:${userId}`,
    /** HASH: the user's outbox, seq → derived op not yet acknowledged (cluster/lua/lib/outbox.lua). */
    outbox: (userId: string) => `${inPartition(userId)}:ob:${userId}`,
    /** ZSET: userId → when their outbox is due for repair, per partition. */
    outboxDue: (partition: number) => `${ofPartition(partition)}:ob`,
    /** ZSET (scores 0): 'nodeId\nsessionId\nuserId' for the partition's sessions with a node; ZRANGEBYLEX per node. */
    nodeSessions: (partition: number) => `${ofPartition(partition)}:bynode`,
    /** ZSET: 'userId\nsessionId' → connectedAt of the partition's sessions without a node. */
    unleased: (partition: number) => `${ofPartition(partition)}:unleased`,
    /** ZSET: userId → when their held-back OFFLINE is due. */
    pendingOffline: (partition: number) => `${ofPartition(partition)}:pending`,
    /** STRING: user-side tombstone of a closed session, so a connect whose claim raced the close opens nothing. */
    userTombstone: (userId: string, sessionId: string) => `${inPartition(userId)}:ut:${sessionId}`,
    /** HASH: sessionId → userId, in the session id's partition. */
    sessionIndex: (sessionId: string) => `${inPartition(sessionId)}:idx:${bucketOf(sessionId, INDEX_BUCKETS)}`,
    /** STRING: a closed session's tombstone, in the session id's partition. */
    tombstone: (sessionId: string) => `${inPartition(sessionId)}:tomb:${sessionId}`,
    /** HASH: userId → seq of the last derived op applied to the session partition's index. */
    indexSeen: (sessionId: string) => `${inPartition(sessionId)}:seen`,
    /** SET: users online as seen from the guild. */
    guildOnline: (guildId: string) => `${guild(guildId)}:online`,
    /** HASH: userId → channelId for everyone in a voice channel of the guild. */
    guildVoice: (guildId: string) => `${guild(guildId)}:voice`,
    /** STRING: the guild's voice version, raised by every voice change applied to it. */
    guildVoiceVersion: (guildId: string) => `${guild(guildId)}:voice:v`,
    /** HASH: userId → seq of the last derived op applied to the guild. */
    guildSeen: (guildId: string) => `${guild(guildId)}:seen`,
    /** ZSET: gateway nodeId → lease expiry (its own slot). */
    nodes: () => `${prefix}{nodes}`,
    /** Sharded channels, tagged like the owner so the script that owns a change can SPUBLISH it. */
    channels: {
      presenceUser: (userId: string) => `${inPartition(userId)}presence:user:${userId}`,
      presenceGuild: (guildId: string) => `${prefix}presence:guild:{${guildId}}`,
      voiceGuild: (guildId: string) => `${prefix}voice:guild:{${guildId}}`,
    },
  };
}

export type ClusterKeys = ReturnType<typeof createClusterKeys>;
