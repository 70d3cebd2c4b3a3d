import { readFileSync } from 'node:fs';
import type { Cluster } from 'ioredis';

/**
 * The Cluster steps under `cluster/lua/`, each with a fixed key count: with
 * auto-pipelining ioredis routes a custom command by its first argument,
 * which is then always its first key. Every key of a step shares one slot.
 */
const steps = {
  claimSession: { file: 'claim.lua', keys: 2 },
  markClosed: { file: 'mark-closed.lua', keys: 2 },
  openSessionStep: { file: 'open-session.lua', keys: 7 },
  closeSessionStep: { file: 'close-session.lua', keys: 7 },
  joinVoiceStep: { file: 'join-voice.lua', keys: 3 },
  leaveVoiceStep: { file: 'leave-voice.lua', keys: 3 },
  expireGrace: { file: 'expire-grace.lua', keys: 4 },
  releaseNode: { file: 'release-node.lua', keys: 1 },
  // One key (the nodes zset) and no key built in Lua: the single-Redis script serves as it is.
  heartbeatStep: { file: '../../redis/lua/heartbeat.lua', keys: 1 },
  applyOps: { file: 'apply.lua', keys: 4 },
  ackOps: { file: 'ack.lua', keys: 2 },
  // All keys in one partition; the caller passes their count first (no auto-pipelining on these clients).
  readConnections: { file: 'connection-states.lua', keys: null },
} as const;

export type StepName = keyof typeof steps;

/** Pure helpers shared with the single-node scripts, then the Cluster's own. */
const LIBRARY = ['../redis/lua/lib/util.lua', '../redis/lua/lib/payloads.lua', '../redis/lua/lib/session-records.lua', './lua/lib/outbox.lua'];

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

export type Step = (...args: Array<string | number>) => Promise<unknown>;

/** Registers every step on the Cluster client (EVALSHA, EVAL once on NOSCRIPT) and returns them by name. */
export function defineSteps(client: Cluster): Record<StepName, Step> {
  const lib = LIBRARY.map(read).join('\n');
  const out = {} as Record<StepName, Step>;
  for (const [name, { file, keys }] of Object.entries(steps) as Array<[StepName, { file: string; keys: number | null }]>) {
    client.defineCommand(name, { ...(keys === null ? {} : { numberOfKeys: keys }), lua: `${lib}\n${read(`./lua/${file}`)}` });
    const command = (client as unknown as Record<string, Step>)[name]!;
    out[name] = (...args) => command.apply(client, args);
  }
  return out;
}
