import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';
import { luaNames } from './names.js';
import { luaPayloads } from './payloads.js';
import { batchLua } from '../lua-batch.js';

type Arg = string | number;

/** The scripts under `lua/`, with how many of their arguments are keys. */
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
  studyReport: { file: 'study-report.lua', keys: 2 },
  heartbeat: { file: 'heartbeat.lua', keys: 1 },
  reap: { file: 'reap.lua', keys: 3 },
  syncNodeSessions: { file: 'sync-node-sessions.lua', keys: 1 },
  presenceSnapshot: { file: 'presence-snapshot.lua', keys: 1 },
  voiceSnapshot: { file: 'voice-snapshot.lua', keys: 2 },
  releaseLock: { file: 'release-lock.lua', keys: 1 },
  connectionStates: { file: 'connection-states.lua', keys: 0 },
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
    syncNodeSessions(...args: Arg[]): Result<unknown, Context>;
    presenceSnapshot(...args: Arg[]): Result<unknown, Context>;
    voiceSnapshot(...args: Arg[]): Result<unknown, Context>;
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

/** The shared Lua, by concern, in the order each part needs the ones before it; prepended to every script. */
const LIBRARY = ['keys.lua', NAMES, 'node-sessions.lua', 'util.lua', PAYLOADS, 'calendar.lua', 'ctx.lua', 'study.lua', 'events.lua', 'session-records.lua', 'sessions.lua'];

const read = (file: string) => readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');

/** A Redis Function library holding every single-call script, named by a hash of its code (two versions never clash). */
function functionLibrary(lib: string, bodies: Array<[string, string]>) {
  const code = [
    // The library's code reads KEYS and ARGV as the scripts do; each call sets them.
    'local KEYS, ARGV = {}, { "" }',
    lib,
    'local function run(body)',
    '  return function(keys, args)',
    '    KEYS, ARGV = keys, args',
    '    bind_prefix(args[1])',
    '    return body()',
    '  end',
    'end',
  ];
  const tag = createHash('sha1').update([code.join('\n'), ...bodies.flat()].join('\n')).digest('hex').slice(0, 12);
  for (const [name, body] of bodies) code.push(`redis.register_function('${name}_${tag}', run(function()\n${body}\nend))`);
  return { text: `#!lua name=state_server_${tag}\n${code.join('\n')}`, functionOf: (name: string) => `${name}_${tag}` };
}

/** Redis without Functions (before 7.0), or a managed Redis that forbids them: the scripts run as EVALSHA. */
const functionsUnsupported = (error: unknown) => /unknown command|unknown subcommand|NOPERM/i.test(String((error as Error)?.message));
/** A Redis restarted empty, or flushed: the library is loaded again. */
const functionMissing = (error: unknown) => /Function not found|Library .* not found/i.test(String((error as Error)?.message));

/**
 * Registers every script on the client. The single-call scripts run as
 * Redis Functions (FCALL) where Redis has them: the library's code (a few
 * hundred lines of helpers) is then loaded once, not run again on every
 * call as EVALSHA does (about 10 us of Redis CPU a call, a fifth of a
 * connect). The library is loaded on first use and again when Redis lost it;
 * without Functions, the same scripts run as EVALSHA (ioredis
 * `defineCommand`: EVAL once on NOSCRIPT). Batch scripts always run as
 * EVALSHA: they pay the library once per batch.
 */
export function defineScripts(client: Redis): void {
  const generated: Record<string, () => string> = { [NAMES]: luaNames, [PAYLOADS]: luaPayloads };
  const lib = LIBRARY.map((file) => generated[file]?.() ?? read(`lib/${file}`)).join('\n');
  const single: Array<[string, number, string]> = [];
  for (const [name, { file, keys }] of Object.entries(scripts) as Array<[string, { file: string; keys: number | null }]>) {
    if (keys === null) client.defineCommand(name, { lua: batchLua(lib, read(file)) });
    else {
      client.defineCommand(name, { numberOfKeys: keys, lua: `${lib}\n${read(file)}` });
      single.push([name, keys, read(file)]);
    }
  }

  const library = functionLibrary(lib, single.map(([name, , body]) => [name, body]));
  type Call = (...args: Arg[]) => Promise<unknown>;
  const commands = client as unknown as Record<string, Call>;
  let mode: 'unknown' | 'functions' | 'scripts' = 'unknown';
  let loading: Promise<unknown> | null = null;
  const load = () => (loading ??= client.call('FUNCTION', 'LOAD', 'REPLACE', library.text).finally(() => (loading = null)));

  for (const [name, keys] of single) {
    const evalsha = commands[name]!.bind(client);
    const fcall = (args: Arg[]) => client.call('FCALL', library.functionOf(name), keys, ...args);
    commands[name] = async (...args: Arg[]) => {
      if (mode === 'unknown') {
        try {
          await load();
          mode = 'functions';
        } catch (error) {
          if (functionsUnsupported(error)) mode = 'scripts';
          return evalsha(...args); // Redis away: this fails alike, and the next call tries again
        }
      }
      if (mode === 'scripts') return evalsha(...args);
      try {
        return await fcall(args);
      } catch (error) {
        if (!functionMissing(error)) throw error;
        await load();
        return fcall(args);
      }
    };
  }
}
