import { describe, expect, it } from 'vitest';
import { CONNECT, DISCONNECT, JOIN, STATES } from '../utils/operations.js';
import { codeOf, gql, useServers } from '../utils/server.js';

/** Reads a response body until its text contains `marker` (or it ends). */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, marker: string) {
  let text = '';
  while (!text.includes(marker)) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  return text;
}

describe('GraphQL over HTTP', () => {
  const { start } = useServers();

  it('runs mutations and queries with POST', async () => {
    const { url } = await start('memory');
    const connect = await gql(url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: 'r1' } });
    expect(connect.status).toBe(200);
    expect(connect.data?.connectSession).toMatchObject({
      changed: true,
      session: { sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: 'r1', nodeId: null },
      connection: { state: 'ONLINE', sessionCount: 1, roomId: 'r1', lastSeenAt: null },
    });
    expect(connect.data?.connectSession.session.connectedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    await gql(url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'u1' } });

    const states = await gql(url, STATES, { userIds: ['u1', 'u2'], guildId: 'g1' });
    expect(states.data).toEqual({
      connectionStates: [
        { userId: 'u1', state: 'ONLINE', sessionCount: 1, roomId: 'r1', lastSeenAt: null },
        { userId: 'u2', state: 'OFFLINE', sessionCount: 0, roomId: null, lastSeenAt: null },
      ],
      channelStates: [{ guildId: 'g1', channelId: 'c1', userIds: ['u1'] }],
    });
    const gone = await gql(url, DISCONNECT, { sessionId: 's1' });
    expect(gone.data?.disconnectSession).toMatchObject({ changed: true, connection: { state: 'OFFLINE', sessionCount: 0 } });
  });

  it('answers queries over GET and refuses mutations over GET', async () => {
    const { url } = await start('memory');
    const query = encodeURIComponent('{ connectionStates(userIds: ["a"]) { userId state } }');
    const get = await fetch(`${url}?query=${query}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { connectionStates: [{ userId: 'a', state: 'OFFLINE' }] } });

    const mutation = encodeURIComponent('mutation { disconnectSession(sessionId: "x") { changed } }');
    const refused = await fetch(`${url}?query=${mutation}`, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(405);
  });

  it('serves GraphiQL to browsers, wired for graphql-ws subscriptions', async () => {
    const { url } = await start('memory');
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('"subscriptionsProtocol":"WS"');
  });

  it('answers /health and /readiness', async () => {
    const { base } = await start('memory');
    const health = await fetch(`${base}/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok', engine: 'memory' }]);
    const readiness = await fetch(`${base}/readiness`);
    expect([readiness.status, await readiness.json()]).toEqual([200, { status: 'ready', engine: 'memory' }]);
  });

  it('gives bad input a stable code and keeps serving', async () => {
    const { url } = await start('memory');
    const bad = await gql(url, CONNECT, { input: { sessionId: '', userId: 'u1' } });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.data).toBeNull();

    const wrongType = await gql(url, CONNECT, { input: { sessionId: 's1' } });
    expect(codeOf(wrongType)).toBe('BAD_USER_INPUT');

    const unknownField = await gql(url, '{ nope }');
    expect(codeOf(unknownField)).toBe('GRAPHQL_VALIDATION_FAILED');

    const syntax = await gql(url, '{ connectionStates(');
    expect(codeOf(syntax)).toBe('GRAPHQL_PARSE_FAILED');

    const badJson = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(badJson.status).toBe(400);

    const tooMany = await gql(url, '{ connectionStates(userIds: $ids) { userId } }'.replace('$ids', JSON.stringify(Array.from({ length: 1001 }, (_, i) => `u${i}`))));
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');

    expect((await gql(url, '{ connectionStates(userIds: ["ok"]) { state } }')).data).toEqual({ connectionStates: [{ state: 'OFFLINE' }] });
  });

  it('delivers subscriptions over Server-Sent Events by GET too (EventSource), on the shared path', async () => {
    const { url, app } = await start('memory');
    const controller = new AbortController();
    const query = encodeURIComponent('subscription { presenceChanged(userIds: ["u2"]) { userId state } }');
    const response = await fetch(`${url}?query=${query}`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    while (app.state.bus.activeSubscriptions() < 1) await new Promise((r) => setTimeout(r, 10));
    await gql(url, CONNECT, { input: { sessionId: 's2', userId: 'u2' } });
    const text = await readUntil(reader, '"presenceChanged"');
    expect(text.startsWith(':\n\n')).toBe(true);
    expect(text).toContain('event: next\ndata: {"data":{"presenceChanged":{"userId":"u2","state":"ONLINE"}}}\n\n');
    controller.abort();
    // The client went away: its subscription is released.
    while (app.state.bus.activeSubscriptions() > 0) await new Promise((r) => setTimeout(r, 10));
  });

  it('delivers subscriptions over Server-Sent Events', async () => {
    const { url, app } = await start('memory');
    const controller = new AbortController();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { presenceChanged(userIds: ["u1"]) { userId state } }' }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    await new Promise((r) => setTimeout(r, 10));
    while (app.state.bus.activeSubscriptions() < 1) await new Promise((r) => setTimeout(r, 10));

    await gql(url, CONNECT, { input: { sessionId: 's1', userId: 'u1' } });
    const text = await readUntil(reader, '"presenceChanged"');
    controller.abort();
    const data = text.split('\n').find((line) => line.startsWith('data:') && line.includes('presenceChanged'));
    expect(JSON.parse(data!.slice(5))).toEqual({ data: { presenceChanged: { userId: 'u1', state: 'ONLINE' } } });
  });
});
