import { id, type Name } from '../names.js';
import { channelNames } from '../topics.js';

/**
 * The single-Redis layout's key names, defined once: keys.ts renders them,
 * and `luaNames` turns them (and the channel names of topics.ts) into the
 * Lua functions the scripts call for the keys they only learn while they
 * run (the user behind a session id, a stored session's guilds).
 */

/** How many hashes hold the sessionId → userId index: a few entries a hash keep it a compact listpack. */
export const SESSION_BUCKETS = 16_384;
/** How many hashes hold one gateway node's session ids (up to ~30,000 sessions a node they stay listpacks). */
export const NODE_BUCKETS = 256;

export const keyNames = {
  user: { lua: 'user_key', pieces: ['user:{', id(0), '}'] },
  session: { lua: 'session_key', pieces: ['sessions:{', { bucketOf: 0, buckets: SESSION_BUCKETS }, '}'] },
  voice: { lua: 'voice_key', pieces: ['guild:{', id(0), '}:voice'] },
  voiceVersion: { lua: 'voice_version_key', pieces: ['guild:{', id(0), '}:voice:v'] },
  presenceLog: { lua: 'presence_log_key', pieces: ['guild:{', id(0), '}:presence:log'] },
  voiceLog: { lua: 'voice_log_key', pieces: ['guild:{', id(0), '}:voice:log'] },
  guildOnline: { lua: 'online_key', pieces: ['guild:{', id(0), '}:online:byid'] },
  tombstone: { lua: 'tomb_key', pieces: ['tomb:{', id(0), '}'] },
  nodes: { lua: 'NODES', pieces: ['nodes'] },
  /** The bucket is an argument of its own: Lua walks a node's buckets by number. */
  nodeSessions: { lua: 'node_bucket_key', pieces: ['node:{', id(0), '}:sessions:', id(1)] },
  unleasedSessions: { lua: 'UNLEASED', pieces: ['sessions:unleased'] },
  pendingOffline: { lua: 'PENDING', pieces: ['presence:pending'] },
  statusExpiry: { lua: 'EXPIRING', pieces: ['presence:status-expiry'] },
  lock: { lua: 'lock_key', pieces: ['lock:', id(0)] },
  studyTotals: { lua: 'totals_key', pieces: ['study:{', id(0), '}:totals'] },
  studyMembers: { lua: 'members_key', pieces: ['study:{', id(0), '}:users'] },
  studyClosed: { lua: 'closed_key', pieces: ['study:{', id(0), '}:closed'] },
  studyTimers: { lua: 'timers_key', pieces: ['study:timers'] },
  roomEvent: { lua: 'room_event_key', pieces: ['room:{', id(0), '}:event:', id(1)] },
} as const satisfies Record<string, Name>;

const luaString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The Lua builder of one name: keys get the prefix, channels get it from `publish`. */
function luaBuilder(name: Name): string {
  const arity = Math.max(-1, ...name.pieces.map((p) => (typeof p === 'string' ? -1 : 'arg' in p ? p.arg : p.bucketOf))) + 1;
  const params = Array.from({ length: arity }, (_, i) => `a${i + 1}`);
  const pieces = name.pieces.map((p) => (typeof p === 'string' ? luaString(p) : 'arg' in p ? params[p.arg]! : `bucket_of(${params[p.bucketOf]}, ${p.buckets})`));
  const body = [...(name.channel ? [] : ['PREFIX']), ...pieces].join(' .. ');
  if (name.lua !== name.lua.toUpperCase()) return `local function ${name.lua}(${params.join(', ')}) return ${body} end`;
  // A constant key depends on the prefix: bind_prefix (below) sets it.
  return name.channel ? `local ${name.lua} = ${body}` : `local ${name.lua}`;
}

/** bind_prefix(p): sets PREFIX and the constant keys built from it (once per EVAL; per call in the function library). */
function luaBindPrefix(all: Name[]): string {
  const constants = all.filter((n) => !n.channel && n.lua === n.lua.toUpperCase());
  const sets = constants.map((n) => `${n.lua} = ${['PREFIX', ...n.pieces.map((p) => (typeof p === 'string' ? luaString(p) : ''))].join(' .. ')}`);
  return [`local function bind_prefix(p)`, `  PREFIX = p`, ...sets.map((line) => `  ${line}`), `end`, `bind_prefix(PREFIX)`].join('\n');
}

/** Every key and channel builder, for the scripts' library (after PREFIX and bucket_of in lua/lib/keys.lua). */
export function luaNames(): string {
  const all: Name[] = [...Object.values(keyNames), ...Object.values(channelNames)];
  return [
    '-- Generated from src/state/redis/names.ts and src/state/topics.ts: every key and channel name a script builds.',
    `local NODE_BUCKETS = ${NODE_BUCKETS}`,
    ...all.map(luaBuilder),
    luaBindPrefix(all),
  ].join('\n');
}
