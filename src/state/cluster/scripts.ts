import { readFileSync } from 'node:fs';
import type { Cluster } from 'ioredis';
import { batchLua } from '../lua-batch.js';
import { luaPayloads } from '../redis/payloads.js';
import type { ReplicaAcks } from '../redis/replica-acks.js';
import { luaResume, NO_RESUME, type ResumeOptions } from '../resume.js';

/**
 * The Cluster steps under `cluster/lua/`, each with a fixed key count: with
 * auto-pipelining ioredis routes a custom command by its first argument,
 * which is then always its first key. Every key of a step shares one slot.
 */
const steps = {
  claimSession: { file: 'claim.lua', keys: 2 },
  markClosed: { file: 'mark-closed.lua', keys: 2 },
  openSessionStep: { file: 'open-session.lua', keys: 7 },
  applyOps: { file: 'apply.lua', keys: 7 },
  ackOps: { file: 'ack.lua', keys: 2 },
  joinVoiceStep: { file: 'join-voice.lua', keys: 3 },
  leaveVoiceStep: { file: 'leave-voice.lua', keys: 3 },
  releaseNode: { file: 'release-node.lua', keys: 1 },
  setStatusStep: { file: 'set-user-status.lua', keys: 4 },
  setActivityStep: { file: 'set-session-activity.lua', keys: 3 },
  expireStatusStep: { file: 'expire-status.lua', keys: 4 },
  // One key and no key built in Lua: the single-Redis scripts serve as they are.
  heartbeatStep: { file: '../../redis/lua/heartbeat.lua', keys: 1 },
  releaseLock: { file: '../../redis/lua/release-lock.lua', keys: 1 },
  studyPage: { file: 'study-page.lua', keys: 3, reads: true },
  closePartitionDay: { file: 'close-partition-day.lua', keys: 3 },
  closeDay: { file: 'close-day.lua', keys: 1 },
  relayRoom: { file: 'relay-room.lua', keys: 1 },
  // Steps whose keys include the study days of a calendar, or a list of
  // users: the caller passes their count first. All keys still share one slot,
  // and these clients do not auto-pipeline, so routing reads the keys themselves.
  closeSessionStep: { file: 'close-session.lua', keys: null },
  expireGrace: { file: 'expire-grace.lua', keys: null },
  startTimer: { file: 'start-timer.lua', keys: null },
  stopTimer: { file: 'stop-timer.lua', keys: null },
  saveStudy: { file: 'save-study.lua', keys: null },
  syncStudy: { file: 'sync-study.lua', keys: null },
  settleDayTimers: { file: 'settle-day-timers.lua', keys: null },
  readConnections: { file: 'connection-states.lua', keys: null, reads: true },
  readPresence: { file: 'presence-read.lua', keys: null, reads: true },
  readGuildView: { file: 'guild-view.lua', keys: 2, reads: true },
  readLog: { file: '../../redis/lua/read-log.lua', keys: 1, reads: true },
  // Batch ingest: many calls of one step in one (lua-batch.ts), every item's keys in the one slot.
  claimSessions: { file: 'claim.lua', keys: 'batch' },
  markClosedMany: { file: 'mark-closed.lua', keys: 'batch' },
  openSessionSteps: { file: 'open-session.lua', keys: 'batch' },
  closeSessionSteps: { file: 'close-session.lua', keys: 'batch' },
  applyOpsMany: { file: 'apply.lua', keys: 'batch' },
  ackOpsMany: { file: 'ack.lua', keys: 'batch' },
} as const;

export type StepName = keyof typeof steps;

/** Pure helpers shared with the single-node scripts, then the Cluster's own. */
const LIBRARY = [
  '../redis/lua/lib/util.lua',
  '../redis/lua/lib/calendar.lua',
  '../redis/lua/lib/status.lua',
  '../redis/lua/lib/session-records.lua',
  './lua/lib/outbox.lua',
  './lua/lib/study.lua',
  './lua/lib/offline.lua',
];

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

export type Step = (...args: Array<string | number>) => Promise<unknown>;

/** A step's first key: after the key count when the caller passes one (null and batch steps). */
const firstKey = (keys: number | null | 'batch', args: Array<string | number>) => String(typeof keys === 'number' ? args[0] : args[1]);

/**
 * Registers every step on the Cluster client (EVALSHA, EVAL once on
 * NOSCRIPT) and returns them by name; with `acks`, a step that writes
 * answers once its master's replicas hold it (replica-acks.ts).
 */
export function defineSteps(client: Cluster, acks: ReplicaAcks | null = null, resume: ResumeOptions = NO_RESUME): Record<StepName, Step> {
  // The payload and log functions come generated (redis/payloads.ts, resume.ts), after util.lua (their helpers).
  const [util, ...rest] = LIBRARY.map(read);
  const lib = [util, luaPayloads(), luaResume(resume), ...rest].join('\n');
  const out = {} as Record<StepName, Step>;
  for (const [name, { file, keys, ...rest }] of Object.entries(steps) as Array<[StepName, { file: string; keys: number | null | 'batch'; reads?: true }]>) {
    const body = read(`./lua/${file}`);
    const lua = keys === 'batch' ? batchLua(lib, body) : `${lib}\n${body}`;
    client.defineCommand(name, { ...(typeof keys === 'number' ? { numberOfKeys: keys } : {}), lua });
    const command = (client as unknown as Record<string, Step>)[name]!;
    const run: Step = (...args) => command.apply(client, args);
    out[name] = !acks || rest.reads ? run : acks.acknowledged(run, (args) => acks.afterKey(client, firstKey(keys, args)));
  }
  return out;
}
