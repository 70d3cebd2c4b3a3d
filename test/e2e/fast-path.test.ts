import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { testConfig } from '../utils/engines.js';
import { useServers, type RunningServer } from '../utils/server.js';
import { authConfig, bearer, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

/** A request as a client sends it: raw body text, headers. */
interface Probe {
  name: string;
  body: string;
  headers?: Record<string, string>;
}

async function send(server: RunningServer, probe: Probe, accept: string | undefined) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}), ...probe.headers },
    body: probe.body,
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

describe('the HTTP fast path answers exactly as yoga does', () => {
  const { start } = useServers();

  it.each([undefined, 'application/json', '*/*'])('for Accept: %s', async (accept) => {
    const overrides = { auth: authConfig(), limits: { ...testConfig().limits, userRequestsPerMinute: 3 } };
    const at = Date.parse('2026-11-23T03:00:00Z');
    const fast = await start('memory', overrides, manualClock(at));
    const slow = await start('memory', overrides, manualClock(at), { fastPath: false });
    const service = bearer(SERVICE_TOKEN);
    const user = bearer(await userToken({ sub: 'alice', guilds: ['g1'] }));
    const json = (query: string, variables?: unknown, operationName?: string) => JSON.stringify({ query, variables, operationName });
    const probes: Probe[] = [
      { name: 'a mutation', headers: service, body: json('mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed session { connectedAt guildIds } connection { state } } }', { i: { sessionId: 's1', userId: 'alice', guildIds: ['g1'] } }) },
      { name: 'a query', headers: service, body: json('{ connectionStates(userIds: ["alice", "bob"]) { userId state sessionCount lastSeenAt } }') },
      { name: 'a named operation among several', headers: service, body: json('query A { __typename } query B { channelStates(guildId: "g1") { channelId } }', undefined, 'B') },
      { name: 'an invalid id', headers: service, body: json('query($u: ID!) { studyTime(userId: $u) { seconds } }', { u: '' }) },
      { name: 'a missing variable', headers: service, body: json('query($u: ID!) { studyTime(userId: $u) { seconds } }', {}) },
      { name: 'a variable of the wrong type', headers: service, body: json('query($u: [ID!]!) { connectionStates(userIds: $u) { state } }', { u: 5 }) },
      { name: 'no token', body: json('{ connectionStates(userIds: ["a"]) { state } }') },
      { name: 'a bad token', headers: bearer('nope'), body: json('{ connectionStates(userIds: ["a"]) { state } }') },
      { name: 'a user token and a mutation', headers: user, body: json('mutation { disconnectSession(sessionId: "s1") { changed } }') },
      { name: 'a user token and another guild', headers: user, body: json('{ channelStates(guildId: "g2") { channelId } }') },
      { name: 'a syntax error', headers: service, body: json('{ connectionStates(') },
      { name: 'an unknown field', headers: service, body: json('{ nope }') },
      { name: 'malformed JSON', headers: service, body: '{"query":' },
      { name: 'a batch', headers: service, body: `[${json('{ __typename }')}]` },
      { name: 'a query that is not a string', headers: service, body: '{"query":5}' },
      { name: 'rate limit 1', headers: user, body: json('{ studyTime(userId: "alice") { seconds } }') },
      { name: 'rate limit 2 (over)', headers: user, body: json('{ studyTime(userId: "alice") { seconds } }') },
    ];
    // Round 1 runs each text through yoga's pipeline, round 2 prepares it,
    // round 3 runs it prepared (src/server/prepared-operations.ts).
    for (const round of [1, 2, 3]) {
      for (const probe of probes) {
        const [a, b] = [await send(fast, probe, accept), await send(slow, probe, accept)];
        expect(a, `${probe.name}, round ${round}`).toEqual(b);
      }
    }
  });
});
