import calculateSlot from 'cluster-key-slot';
import type { Topic } from '../../pubsub/event-bus.js';
import { bucketOf } from '../names.js';
import type { TopicKind } from '../topics.js';

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

/** Every partition number, for work done partition by partition. */
export const allPartitions: readonly number[] = Array.from({ length: PARTITIONS }, (_, p) => p);

/** Members of one node in a partition's node-sessions zset: 'nodeId\n…' sorts below 'nodeId\x0b'. */
export const nodeRange = (nodeId: string) => [`[${nodeId}\n`, `(${nodeId}\x0b`] as const;

/** The positions of `items` grouped by their partition, in order within each group. */
export function groupByPartition<T>(items: readonly T[], partition: (item: T) => number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  items.forEach((item, i) => {
    const p = partition(item);
    const group = groups.get(p);
    if (group) group.push(i);
    else groups.set(p, [i]);
  });
  return groups;
}

/**
 * A guild's hash tag, its id in braces. An id holding a brace would end the
 * tag early (or leave it empty, hashing each key whole), so its braces are
 * replaced in the tag and the id follows it, which keeps the keys distinct.
 */
const guildTag = (guildId: string) => (/[{}]/.test(guildId) ? `{${guildId.replace(/[{}]/g, '_')}}~${guildId}` : `{${guildId}}`);

export function createClusterKeys(prefix: string) {
  const inPartition = (id: string) => `${prefix}{${partitionTags[partitionOf(id)]}}`;
  const ofPartition = (p: number) => `${prefix}{${partitionTags[p]}}`;
  const guild = (guildId: string) => `${prefix}guild:${guildTag(guildId)}`;
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
    /** ZSET: userId → when their custom status expires. */
    statusExpiry: (partition: number) => `${ofPartition(partition)}:csx`,
    /** STRING: user-side tombstone of a closed session, so a connect whose claim raced the close opens nothing. */
    userTombstone: (userId: string, sessionId: string) => `${inPartition(userId)}:ut:${sessionId}`,
    /** HASH: sessionId → userId, in the session id's partition. */
    sessionIndex: (sessionId: string) => `${inPartition(sessionId)}:idx:${bucketOf(sessionId, INDEX_BUCKETS)}`,
    /** STRING: a closed session's tombstone, in the session id's partition: '=' and the owner, so a repeated disconnect still finds the user. */
    tombstone: (sessionId: string) => `${inPartition(sessionId)}:tomb:${sessionId}`,
    /** HASH: userId → seq of the last derived op applied to the session partition's index. */
    indexSeen: (sessionId: string) => `${inPartition(sessionId)}:seen`,
    /** ZSET (scores 0): users online as seen from the guild, paged by id; their versions are in guildSeen. */
    guildOnline: (guildId: string) => `${guild(guildId)}:online:byid`,
    /** HASH: userId → channelId for everyone in a voice channel of the guild. */
    guildVoice: (guildId: string) => `${guild(guildId)}:voice`,
    /** STRING: the guild's voice version, raised by every voice change applied to it. */
    guildVoiceVersion: (guildId: string) => `${guild(guildId)}:voice:v`,
    /** HASH: userId → seq of the last derived op applied to the guild, then '\t' and the presence version of the transition it applied while they are online there. */
    guildSeen: (guildId: string) => `${guild(guildId)}:seen`,
    /** STREAM (capped): the guild's presence events, for resuming subscribers (resume.ts). */
    guildPresenceLog: (guildId: string) => `${guild(guildId)}:presence:log`,
    /** STREAM (capped): the guild's voice events, for resuming subscribers. */
    guildVoiceLog: (guildId: string) => `${guild(guildId)}:voice:log`,
    /** ZSET: userId → when they left both of the guild's views; their seen entry goes some minutes later. */
    guildGone: (guildId: string) => `${guild(guildId)}:gone`,
    /** ZSET: gateway nodeId → lease expiry (its own slot). */
    nodes: () => `${prefix}{nodes}`,
    /** STRING: a maintenance lock (one slot for all). */
    lock: (name: string) => `${prefix}{locks}:${name}`,
    /** ZSET: userId → start (ms) of the partition's running study timers. */
    timers: (partition: number) => `${ofPartition(partition)}:timers`,
    /** HASH: userId → seconds studied on the day, for the partition's users. */
    studyTotals: (partition: number, day: string) => `${ofPartition(partition)}:st:${day}`,
    /** ZSET (scores 0): the partition's users with a total on the day, paged by ZRANGEBYLEX. */
    studyMembers: (partition: number, day: string) => `${ofPartition(partition)}:su:${day}`,
    /** STRING: 'users,totalSeconds' once the partition's part of the day is closed. */
    partitionDayClosed: (partition: number, day: string) => `${ofPartition(partition)}:sc:${day}`,
    /** STRING: the day's StudyDayClosed JSON; its existence means the day is closed. */
    dayClosed: (day: string) => `${prefix}{days}:closed:${day}`,
    // Every room shares the {rooms} slot: room control events are few, and
    // one slot keeps the every-room stream in publish order, as on one Redis.
    /** STRING: a relayed room event by its eventId (JSON). */
    roomEvent: (roomId: string, eventId: string) => `${prefix}{rooms}:ev:${roomId}:${eventId}`,
    /** HASH: userId → seq of the last derived op (ROOM_OUT) applied to the room. */
    roomSeen: (roomId: string) => `${prefix}{rooms}:seen:${roomId}`,
    /** Sharded channels, tagged like the owner so the script that owns a change can SPUBLISH it. */
    channels: {
      presenceUser: (userId: string) => `${inPartition(userId)}presence:user:${userId}`,
      presenceGuild: (guildId: string) => `${prefix}presence:guild:${guildTag(guildId)}`,
      voiceGuild: (guildId: string) => `${prefix}voice:guild:${guildTag(guildId)}`,
      room: (roomId: string) => `${prefix}{rooms}room:${roomId}`,
      /** Every room's events (sharded pub/sub has no patterns). */
      rooms: () => `${prefix}{rooms}rooms`,
      studyUser: (userId: string) => `${inPartition(userId)}study:user:${userId}`,
      dayClosed: () => `${prefix}{days}study:day-closed`,
    },
  };
}

export type ClusterKeys = ReturnType<typeof createClusterKeys>;

/** The sharded channels of a bus topic (src/state/topics.ts), for the sharded transport. */
export function clusterChannelsOf(keys: ClusterKeys) {
  const { channels } = keys;
  const byKind: Record<TopicKind, (id: string) => string> = {
    presenceUser: channels.presenceUser,
    presenceGuild: channels.presenceGuild,
    voiceGuild: channels.voiceGuild,
    room: channels.room,
    studyUser: channels.studyUser,
    studyDayClosed: () => channels.dayClosed(),
  };
  return (topic: Topic<string>): string[] => {
    if (topic.pattern) {
      if (topic.kind !== 'room') throw new Error(`no sharded channels for a pattern of ${topic.kind}`);
      return [channels.rooms()];
    }
    const channel = byKind[topic.kind as TopicKind];
    if (!channel) throw new Error(`no sharded channel for topic kind ${topic.kind}`);
    return [channel(topic.id)];
  };
}
