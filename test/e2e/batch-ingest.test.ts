import { describe, expect, it } from 'vitest';
import { engineNames } from '../utils/engines.js';
import { PRESENCE, STATES } from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';
import { authConfig, bearer, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

const CONNECTS = `mutation($inputs: [ConnectSessionInput!]!) {
  connectSessions(inputs: $inputs) { result { changed connection { userId state sessionCount } } error { code message } }
}`;
const DISCONNECTS = `mutation($ids: [ID!]!) {
  disconnectSessions(sessionIds: $ids) { result { changed session { sessionId } connection { state } } error { code message } }
}`;

describe.each(engineNames.filter((e) => e !== 'memory'))('batch ingest through two instances (%s)', (engine) => {
  const { startPair, wsClient, subscribe } = useServers();

  it('answers per item over HTTP and graphql-ws, and the other instance delivers the same events', async () => {
    const [a, b] = await startPair({}, engine);
    const events = await subscribe(b, wsClient(b), PRESENCE, { guildId: 'g1' });

    const http = await gql(a.url, CONNECTS, {
      inputs: [
        { sessionId: 's1', userId: 'u1', guildIds: ['g1'] },
        { sessionId: 's2', userId: 'u1', guildIds: ['g1'] },
        { sessionId: 's3', userId: 'u2', guildIds: ['g1'], nodeId: ' \n' },
        { sessionId: 's1', userId: 'u9' },
      ],
    });
    expect(http.errors).toBeUndefined();
    expect(http.data?.connectSessions).toEqual([
      { result: { changed: true, connection: { userId: 'u1', state: 'ONLINE', sessionCount: 1 } }, error: null },
      { result: { changed: true, connection: { userId: 'u1', state: 'ONLINE', sessionCount: 2 } }, error: null },
      { result: null, error: { code: 'BAD_USER_INPUT', message: 'inputs[2].nodeId must be 1-128 printable characters' } },
      { result: null, error: { code: 'BAD_USER_INPUT', message: 'session s1 belongs to another user' } },
    ]);

    // The same mutation as a graphql-ws operation.
    const client = wsClient(a);
    const ws = await new Promise<any>((resolve, reject) => {
      let last: unknown;
      client.subscribe({ query: DISCONNECTS, variables: { ids: ['s1', 's2', 'nope'] } }, { next: (r) => (last = r), error: reject, complete: () => resolve(last) });
    });
    expect(ws.data.disconnectSessions).toEqual([
      { result: { changed: true, session: { sessionId: 's1' }, connection: { state: 'ONLINE' } }, error: null },
      { result: { changed: true, session: { sessionId: 's2' }, connection: { state: 'OFFLINE' } }, error: null },
      { result: { changed: false, session: null, connection: null }, error: null },
    ]);

    expect((await events.take(2)).map((r) => `${r.data?.presenceChanged.userId}:${r.data?.presenceChanged.state}`)).toEqual(['u1:ONLINE', 'u1:OFFLINE']);
    expect(await events.settle(200)).toHaveLength(2);
    const states = await gql(b.url, STATES, { userIds: ['u1', 'u2'], guildId: 'g1' });
    expect(states.data?.connectionStates.map((c: { state: string }) => c.state)).toEqual(['OFFLINE', 'OFFLINE']);
  });

  it('refuses a batch over the limit as a whole, with a coded error', async () => {
    const [a] = await startPair({}, engine);
    const inputs = Array.from({ length: 1_001 }, (_, i) => ({ sessionId: `s${i}`, userId: `u${i}` }));
    const response = await gql(a.url, CONNECTS, { inputs });
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.data).toBeNull();
  });
});

describe('batch ingest is for services', () => {
  const { start } = useServers();

  it('refuses a user token and serves a service token', async () => {
    const server = await start('memory', { auth: authConfig() });
    const inputs = [{ sessionId: 's1', userId: 'alice' }];
    const user = await gql(server.url, CONNECTS, { inputs }, bearer(await userToken({ sub: 'alice', guilds: ['g1'] })));
    expect(codeOf(user)).toBe('FORBIDDEN');
    const service = await gql(server.url, CONNECTS, { inputs }, bearer(SERVICE_TOKEN));
    expect(service.data?.connectSessions[0].result.changed).toBe(true);
  });
});
