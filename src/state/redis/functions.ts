import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

type Arg = string | number;

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
 * Makes the client's single-call script commands (registered with
 * defineCommand) run as Redis Functions (FCALL) where Redis has them: the
 * library's code (a few hundred lines of helpers) is then loaded once, not
 * run again on every call as EVALSHA does (about 10 us of Redis CPU a call,
 * a fifth of a connect). The library is loaded on first use and again when
 * Redis lost it; without Functions, the commands stay EVALSHA.
 * `scripts`: each command's name, key count and body.
 */
export function callAsFunctions(client: Redis, lib: string, scripts: Array<[string, number, string]>): void {
  const library = functionLibrary(lib, scripts.map(([name, , body]) => [name, body]));
  type Call = (...args: Arg[]) => Promise<unknown>;
  const commands = client as unknown as Record<string, Call>;
  let mode: 'unknown' | 'functions' | 'scripts' = 'unknown';
  let loading: Promise<unknown> | null = null;
  const load = () => (loading ??= client.call('FUNCTION', 'LOAD', 'REPLACE', library.text).finally(() => (loading = null)));

  for (const [name, keys] of scripts) {
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
