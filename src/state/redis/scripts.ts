import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';
import { luaNames } from './names.js';
import { luaPayloads } from './payloads.js';
import { batchLua } from '../lua-batch.js';
import { callAsFunctions } from './functions.js';
import type { ReplicaAcks } from './replica-acks.js';
import { luaResume, NO_RESUME, type ResumeOptions } from '../resume.js';

type Arg = string | number;

/** The scripts under `lua/`, with how many of their arguments are keys; `reads`: writes nothing. */
const scripts = {
  connectSession: { file: 'connect-session.lua', keys: 2 },
  disconnectSession: { file: 'disconnect-session.lua', keys: 1 },
  joinVoice: { file: 'join-voice.lua', keys: 2 },
  leaveVoice: { file: 'leave-voice.lua', keys: 2 },
  startStudyTimer: { file: 'start-study-timer.lua', keys: 2 },
  stopStudyTimer: { file: 'stop-study-timer.lua', keys: 2 },
  saveStudyTime: { file: 'save-study-time.lua', keys: 3 },
  syncStudyTimes: { file: 'sync-study-times.lua', keys: 2 },
  closeStudyDay: { file: 'close-study-day.lua', keys: 3 },
  studyReport: { file: 'study-report.lua', keys: 2, reads: true },
  heartbeat: { file: 'heartbeat.lua', keys: 1 },
  reap: { file: 'reap.lua', keys: 4 },
  setUserStatus: { file: 'set-user-status.lua', keys: 2 },
  setSessionActivity: { file: 'set-session-activity.lua', keys: 1 },
  syncNodeSessions: { file: 'sync-node-sessions.lua', keys: 1 },
  presenceSnapshot: { file: 'presence-snapshot.lua', keys: 1, reads: true },
  onlineMembers: { file: 'online-members.lua', keys: 1, reads: true },
  voiceSnapshot: { file: 'voice-snapshot.lua', keys: 2, reads: true },
  readLog: { file: 'read-log.lua', keys: 1, reads: true },
  releaseLock: { file: 'release-lock.lua', keys: 1 },
  connectionStates: { file: 'connection-states.lua', keys: 0, reads: true },
  relayRoomEvent: { file: 'relay-room-event.lua', keys: 1 },
  // Batch ingest: many calls of one script in one (lua-batch.ts); the key count comes first.
  connectSessions: { file: 'connect-session.lua', keys: null },
  disconnectSessions: { file: 'disconnect-session.lua', keys: null },
} as const;

export type ScriptName = keyof typeof scripts;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    connectSession(...args: Arg[]): Result<unknown, Context>;
    disconnectSession(...args: Arg[]): Result<unknown, Context>;
    joinVoice(...args: Arg[]): Result<unknown, Context>;
    leaveVoice(...args: Arg[]): Result<unknown, Context>;
    startStudyTimer(...args: Arg[]): Result<unknown, Context>;
    stopStudyTimer(...args: Arg[]): Result<unknown, Context>;
    saveStudyTime(...args: Arg[]): Result<unknown, Context>;
    syncStudyTimes(...args: Arg[]): Result<unknown, Context>;
    closeStudyDay(...args: Arg[]): Result<unknown, Context>;
    studyReport(...args: Arg[]): Result<unknown, Context>;
    heartbeat(...args: Arg[]): Result<unknown, Context>;
    reap(...args: Arg[]): Result<unknown, Context>;
    setUserStatus(...args: Arg[]): Result<unknown, Context>;
    setSessionActivity(...args: Arg[]): Result<unknown, Context>;
    syncNodeSessions(...args: Arg[]): Result<unknown, Context>;
    presenceSnapshot(...args: Arg[]): Result<unknown, Context>;
    onlineMembers(...args: Arg[]): Result<unknown, Context>;
    voiceSnapshot(...args: Arg[]): Result<unknown, Context>;
    readLog(...args: Arg[]): Result<unknown, Context>;
    releaseLock(...args: Arg[]): Result<unknown, Context>;
    connectionStates(...args: Arg[]): Result<unknown, Context>;
    relayRoomEvent(...args: Arg[]): Result<unknown, Context>;
    connectSessions(...args: Arg[]): Result<unknown, Context>;
    disconnectSessions(...args: Arg[]): Result<unknown, Context>;
  }
}

/** Stand for the Lua generated from names.ts and payloads.ts. */
const NAMES = 'names';
const PAYLOADS = 'payloads';
const RESUME = 'resume';

/** The shared Lua, by concern, in the order each part needs the ones before it; prepended to every script. */
const LIBRARY = ['keys.lua', NAMES, 'node-sessions.lua', 'util.lua', PAYLOADS, RESUME, 'calendar.lua', 'ctx.lua', 'study.lua', 'status.lua', 'events.lua', 'session-records.lua', 'sessions.lua'];

const read = (file: string) => readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');

/**
 * Registers every script on the client with `defineCommand` (EVALSHA, EVAL
 * once on NOSCRIPT); the single-call ones then run as Redis Functions where
 * Redis has them (functions.ts). Batch scripts always run as EVALSHA: they
 * pay the library once per batch. With `acks`, a script that writes
 * answers once the replicas hold it.
 */
export function defineScripts(client: Redis, acks: ReplicaAcks | null = null, resume: ResumeOptions = NO_RESUME): void {
  const generated: Record<string, () => string> = { [NAMES]: luaNames, [PAYLOADS]: luaPayloads, [RESUME]: () => luaResume(resume) };
  const lib = LIBRARY.map((file) => generated[file]?.() ?? read(`lib/${file}`)).join('\n');
  const single: Array<[string, number, string]> = [];
  const entries = Object.entries(scripts) as Array<[string, { file: string; keys: number | null; reads?: true }]>;
  for (const [name, { file, keys }] of entries) {
    if (keys === null) client.defineCommand(name, { lua: batchLua(lib, read(file)) });
    else {
      const body = read(file);
      client.defineCommand(name, { numberOfKeys: keys, lua: `${lib}\n${body}` });
      single.push([name, keys, body]);
    }
  }

  callAsFunctions(client, lib, single);
  if (!acks) return;
  // A write answers once enough replicas hold it (replica-acks.ts).
  const commands = client as unknown as Record<string, (...args: Arg[]) => Promise<unknown>>;
  for (const [name, { reads }] of entries) {
    if (reads) continue;
    commands[name] = acks.acknowledged(commands[name]!.bind(client), () => acks.after(client));
  }
}
