import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { until } from '../utils/collect.js';
import { CONNECT, DISCONNECT } from '../utils/operations.js';
import { gql, useServers, type RunningServer } from '../utils/server.js';
import { authConfig, bearer, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

/** The whole SSE response text of `query` while `act` runs, until the server ends it. */
async function sseText(server: RunningServer, query: string, headers: Record<string, string>, act: () => Promise<void>) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
  });
  let finished = false;
  const text = response.text().finally(() => (finished = true));
  // A refused subscription answers at once; a live one waits for events.
  await until(() => finished || server.app.state.bus.activeSubscriptions() > 0, 5_000, 'the SSE subscription or its answer');
  if (!finished) {
    await act();
    await server.app.state.bus.endAll(); // as on shutdown: the stream completes
  }
  return { status: response.status, type: response.headers.get('content-type'), text: await text };
}

describe("SSE on the shared execution answers as yoga's own SSE does", () => {
  const { start } = useServers();

  it('the same frames for events, refusals, bad documents and the end of the stream', async () => {
    const at = Date.parse('2026-12-02T03:00:00Z');
    const servers = [
      await start('memory', { auth: authConfig() }, manualClock(at), { sharedSse: true }),
      await start('memory', { auth: authConfig() }, manualClock(at), { sharedSse: false }),
    ];
    const service = bearer(SERVICE_TOKEN);
    const user = bearer(await userToken({ sub: 'alice', guilds: ['g1'] }));
    const cases: Array<[string, Record<string, string>]> = [
      ['subscription { presenceChanged(userIds: ["u1", "u2"]) { userId state sessionCount at } }', service],
      ['subscription { presenceChanged(guildId: "g1", includeSnapshot: true) { userId state snapshot } }', user],
      ['subscription { channelStateChanged(guildId: "g2") { type } }', user], // FORBIDDEN
      ['subscription { channelStateChanged(guildId: "g1") { type } }', {}], // UNAUTHENTICATED
      ['subscription { presenceChanged { userId } }', service], // no filter: BAD_USER_INPUT
      ['subscription { nope }', service], // does not validate
    ];
    for (const [n, [query, headers]] of cases.entries()) {
      // Fresh session ids per case: a closed one stays refused (tombstones).
      const [s1, s2] = [`c${n}-1`, `c${n}-2`];
      const [shared, yoga] = await Promise.all(
        servers.map((server) =>
          sseText(server, query, headers, async () => {
            for (const input of [{ sessionId: s1, userId: 'u1', guildIds: ['g1'] }, { sessionId: s2, userId: 'u2' }]) {
              await gql(server.url, CONNECT, { input }, service);
            }
            await gql(server.url, DISCONNECT, { sessionId: s1 }, service);
          }),
        ),
      );
      // The shared path also names each guild stream event by its position (Last-Event-ID); yoga's has no ids.
      const ids = shared!.text.match(/^id: \d+-\d+$/gm) ?? [];
      expect(ids.length, query).toBe(query.includes('guildId: "g1", includeSnapshot') ? 2 : 0);
      expect({ ...shared!, text: shared!.text.replace(/^id: \d+-\d+\n/gm, '') }, query).toEqual(yoga);
      // Clean state for the next case on both servers.
      for (const server of servers) for (const s of [s1, s2]) await gql(server.url, DISCONNECT, { sessionId: s }, service);
    }
  });
});
