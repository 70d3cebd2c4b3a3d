import { manualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createState } from '../../src/state/create-state.js';
import { graphql, percentile, startChild } from '../lib.js';
import type { BenchContext } from '../run.js';

const MEMBERS = 100_000;
const READS = 1_000;

/**
 * `guildPresence` of a guild with 100,000 online members (and 10,000 in
 * voice): the members come in through batch ingest on the state service,
 * then a server answers the query over HTTP, one request at a time.
 */
export async function guildPresence(ctx: BenchContext) {
  const env = ctx.serverEnv('guild_presence');
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), redis: { mode: 'single' as const, url: ctx.redisUrl, password: undefined }, keyPrefix: env.KEY_PREFIX! };
  const runtime = await createState(config, manualClock(Date.now()), silentLogger);
  try {
    for (let from = 0; from < MEMBERS; from += 1_000) {
      const inputs = Array.from({ length: 1_000 }, (_, i) => ({ sessionId: `gp-s${from + i}`, userId: `gp-u${from + i}`, guildIds: ['big'] }));
      await runtime.service.connectSessions(inputs);
    }
    for (let i = 0; i < MEMBERS / 10; i++) await runtime.service.joinVoiceChannel({ guildId: 'big', channelId: `c${i % 50}`, userId: `gp-u${i}` });
  } finally {
    await runtime.close();
  }
  const server = await startChild('bench/fixtures/state-server.ts', env);
  const url = `http://127.0.0.1:${server.ports[0]}/graphql`;
  const query = 'query ($g: ID!) { guildPresence(guildId: $g) { onlineCount voiceCount } }';
  const times: number[] = [];
  try {
    const first = (await graphql(url, query, { g: 'big' })) as { guildPresence?: { onlineCount: number } };
    if (first.guildPresence?.onlineCount !== MEMBERS) throw new Error(`guildPresence counted ${JSON.stringify(first)}`);
    for (let i = 0; i < READS; i++) {
      const t = performance.now();
      await graphql(url, query, { g: 'big' });
      times.push(performance.now() - t);
    }
  } finally {
    await server.stop();
  }
  return { guild_presence_100000_p50_ms: percentile(times, 50), guild_presence_100000_p99_ms: percentile(times, 99) };
}
