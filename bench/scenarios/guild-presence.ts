import { manualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createState } from '../../src/state/create-state.js';
import { closeSockets, graphql, openSockets, percentile, sleep, startChild, until } from '../lib.js';
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
      const inputs = Array.from({ length: 1_000 }, (_, i) => ({ sessionId: `gp-s${from + i}`, userId: `gp-u${from + i}`, guildIds: ['big'], platform: 'DESKTOP' }));
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
  const pages: number[] = [];
  let throttled: Record<string, number> = {};
  try {
    const first = (await graphql(url, query, { g: 'big' })) as { guildPresence?: { onlineCount: number } };
    if (first.guildPresence?.onlineCount !== MEMBERS) throw new Error(`guildPresence counted ${JSON.stringify(first)}`);
    for (let i = 0; i < READS; i++) {
      const t = performance.now();
      await graphql(url, query, { g: 'big' });
      times.push(performance.now() - t);
    }
    // A page of 100 from a random place in the guild's member list (ids are 'gp-u<n>'), as a front end scrolling it.
    const page = 'query ($g: ID!, $after: String) { onlineMembers(guildId: $g, first: 100, after: $after) { entries { userId status platforms } endCursor hasNextPage } }';
    for (let i = 0; i < READS; i++) {
      const after = Buffer.from(`gp-u${Math.floor(Math.random() * MEMBERS)}`).toString('base64url');
      const t = performance.now();
      const answer = (await graphql(url, page, { g: 'big', after })) as { onlineMembers?: { entries: unknown[] } };
      pages.push(performance.now() - t);
      if (!answer.onlineMembers) throw new Error(`onlineMembers answered ${JSON.stringify(answer)}`);
    }
    throttled = await countsUnderLoad(ctx, config, server.ports as [number, number]);
  } finally {
    await server.stop();
  }
  return {
    guild_presence_100000_p50_ms: percentile(times, 50),
    guild_presence_100000_p99_ms: percentile(times, 99),
    online_members_page_100_p50_ms: percentile(pages, 50),
    online_members_page_100_p99_ms: percentile(pages, 99),
    ...throttled,
  };
}

/**
 * One guildPresenceChanged subscriber of that guild while 1,000 of its
 * members' transitions a second happen (through the state service in this
 * process, as another instance would): the events it receives a second and
 * the server CPU over the window (it also receives every transition on its
 * bus subscription of the guild).
 */
async function countsUnderLoad(ctx: BenchContext, config: Parameters<typeof createState>[0], [port, side]: [number, number]) {
  const seconds = ctx.quick ? 3 : 6;
  const [socket] = await openSockets(`ws://127.0.0.1:${port}/graphql`, 1);
  let events = 0;
  socket!.on('message', (data: Buffer) => void (data.includes('"next"') && events++));
  socket!.send(JSON.stringify({ id: 'c', type: 'subscribe', payload: { query: 'subscription { guildPresenceChanged(guildId: "big") { onlineCount voiceCount } }' } }));
  await until(() => events === 1, 5_000, 'the first counts');
  const cpu = async () => ((await (await fetch(`http://127.0.0.1:${side}/heap`)).json()) as { cpuMicros: number }).cpuMicros;
  const runtime = await createState(config, manualClock(Date.now()), silentLogger);
  try {
    const cpuBefore = await cpu();
    const began = performance.now();
    events = 0;
    // 10 transitions every 10 ms: a member goes offline, or comes back.
    for (let tick = 0; tick < seconds * 100; tick++) {
      const due = began + tick * 10;
      await Promise.all(
        Array.from({ length: 10 }, (_, k) => {
          const n = (tick * 10 + k) >> 1;
          return (tick * 10 + k) % 2 === 0 ? runtime.service.disconnectSession(`gp-s${n}`) : runtime.service.connectSession({ sessionId: `gp-b${n}`, userId: `gp-u${n}`, guildIds: ['big'] });
        }),
      );
      const wait = due + 10 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const elapsed = (performance.now() - began) / 1000;
    const cpuMs = ((await cpu()) - cpuBefore) / 1000;
    return {
      guild_counts_transitions_per_s: (seconds * 1000) / elapsed,
      guild_counts_events_per_s: events / elapsed,
      guild_counts_server_cpu_ms_per_s: cpuMs / elapsed,
    };
  } finally {
    await runtime.close();
    await closeSockets([socket!]);
  }
}
