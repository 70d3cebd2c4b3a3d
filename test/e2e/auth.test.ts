import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect, sleep } from '../utils/collect.js';
import { CONNECT, JOIN, PRESENCE, REPORT, STATES, STUDY_TIME, VOICE } from '../utils/operations.js';
import { codeOf, gql, useServers, type RunningServer } from '../utils/server.js';
import { asymmetricKeys, authConfig, bearer, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

const service = bearer(SERVICE_TOKEN);

/** Opens a raw graphql-ws socket and reports how it closes. */
function closeCodeOf(server: RunningServer, payload?: Record<string, unknown>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('close', (code) => resolve(code));
  });
}

describe('callers and what they may do', () => {
  const { start, wsClient, subscribe } = useServers();
  const secured = () => start('memory', { auth: authConfig() });

  async function seed(server: RunningServer) {
    await gql(server.url, CONNECT, { input: { sessionId: 's-a', userId: 'alice', guildIds: ['g1'] } }, service);
    await gql(server.url, CONNECT, { input: { sessionId: 's-b', userId: 'bob', guildIds: ['g2'] } }, service);
    await gql(server.url, JOIN, { input: { guildId: 'g2', channelId: 'c1', userId: 'bob' } }, service);
  }

  it('refuses every operation over HTTP without a valid token, with 401 and no echo of the token', async () => {
    const server = await secured();
    const tampered = (await userToken({ sub: 'alice', guilds: ['g1'] })).slice(0, -2) + 'xx';
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /missing token/],
      [{ authorization: 'Basic abc' }, /malformed/],
      [{ authorization: 'Bearer' }, /malformed/],
      [bearer('not-a-known-service-token'), /invalid token/],
      [bearer(tampered), /invalid token/],
      [bearer(await userToken({ sub: 'alice', expiresIn: -10 })), /token expired/],
      [bearer(await userToken({ sub: 'alice', secret: 'another-secret-0123456789abcdef0123' })), /invalid token/],
      [bearer(await userToken({ sub: '' })), /invalid token/],
      [bearer(await userToken({ sub: 'alice', guilds: 'g1' })), /invalid token claims/],
    ];
    for (const [headers, message] of cases) {
      for (const query of ['{ connectionStates(userIds: ["a"]) { state } }', 'mutation { disconnectSession(sessionId: "x") { changed } }']) {
        const response = await gql(server.url, query, undefined, headers);
        expect(response.status).toBe(401);
        expect(codeOf(response)).toBe('UNAUTHENTICATED');
        expect(response.errors?.[0]?.message).toMatch(message);
        const token = headers.authorization?.slice(7);
        if (token) expect(JSON.stringify(response)).not.toContain(token);
      }
    }
  });

  it('serves the operator console shell to anyone, and what it shows only to service tokens', async () => {
    const server = await secured();
    const page = await fetch(`${server.base}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).not.toMatch(/token=|Bearer [A-Za-z0-9]/);
    const NODES = 'query { nodeLeases { nodeId } }';
    expect(codeOf(await gql(server.url, NODES))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(server.url, NODES, {}, bearer(await userToken({ sub: 'alice', guilds: ['g1'] }))))).toBe('FORBIDDEN');
    expect((await gql(server.url, NODES, {}, service)).data).toEqual({ nodeLeases: [] });
    expect((await fetch(`${server.base}/metrics`)).status).toBe(401);
  });

  it('gives service tokens full access', async () => {
    const server = await secured();
    await seed(server);
    const read = await gql(server.url, STATES, { userIds: ['alice', 'bob'], guildId: 'g2' }, service);
    expect(read.data?.connectionStates.map((c: { state: string }) => c.state)).toEqual(['ONLINE', 'ONLINE']);
    expect((await gql(server.url, REPORT, { day: '2026-11-23' }, service)).errors).toBeUndefined();
    expect((await gql(server.url, '{ session(sessionId: "s-a") { userId } }', undefined, service)).data).toEqual({ session: { userId: 'alice' } });
  });

  it('lets a user token read its guilds and itself, and nothing else', async () => {
    const server = await secured();
    await seed(server);
    const alice = bearer(await userToken({ sub: 'alice', guilds: ['g1'] }));

    const own = await gql(server.url, '{ channelStates(guildId: "g1") { channelId } }', undefined, alice);
    expect(own.errors).toBeUndefined();
    const other = await gql(server.url, '{ channelStates(guildId: "g2") { channelId } }', undefined, alice);
    expect(codeOf(other)).toBe('FORBIDDEN');

    // Bob shares no guild with alice: he reads as OFFLINE, with nothing else.
    const states = await gql(server.url, '{ connectionStates(userIds: ["alice", "bob"]) { userId state sessionCount roomId lastSeenAt } }', undefined, alice);
    expect(states.data?.connectionStates).toEqual([
      { userId: 'alice', state: 'ONLINE', sessionCount: 1, roomId: null, lastSeenAt: null },
      { userId: 'bob', state: 'OFFLINE', sessionCount: 0, roomId: null, lastSeenAt: null },
    ]);
    const bobsFriend = bearer(await userToken({ sub: 'carol', guilds: ['g2'] }));
    const seen = await gql(server.url, '{ connectionStates(userIds: ["bob"]) { state } }', undefined, bobsFriend);
    expect(seen.data?.connectionStates).toEqual([{ state: 'ONLINE' }]);

    expect((await gql(server.url, STUDY_TIME, { userId: 'alice' }, alice)).errors).toBeUndefined();
    expect(codeOf(await gql(server.url, STUDY_TIME, { userId: 'bob' }, alice))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, REPORT, { day: '2026-11-23' }, alice))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, '{ session(sessionId: "s-a") { userId } }', undefined, alice))).toBe('FORBIDDEN');
    for (const mutation of [
      'mutation { disconnectSession(sessionId: "s-b") { changed } }',
      'mutation { connectSession(input: { sessionId: "x", userId: "alice" }) { changed } }',
      'mutation { leaveVoiceChannel(input: { guildId: "g2", channelId: "c1", userId: "bob" }) { changed } }',
      'mutation { saveStudyTime(input: { userId: "alice", seconds: 5 }) { seconds } }',
      'mutation { publishRoomEvent(input: { type: KICK_OUT, roomId: "r", userId: "alice" }) { type } }',
    ]) {
      expect(codeOf(await gql(server.url, mutation, undefined, alice))).toBe('FORBIDDEN');
    }
    // Nothing changed.
    const after = await gql(server.url, STATES, { userIds: ['bob'], guildId: 'g2' }, service);
    expect(after.data).toEqual({
      connectionStates: [{ userId: 'bob', state: 'ONLINE', sessionCount: 1, roomId: null, lastSeenAt: null }],
      channelStates: [{ guildId: 'g2', channelId: 'c1', userIds: ['bob'] }],
    });
  });

  it('accepts RS256 and ES256 user tokens with JWT_PUBLIC_KEY, and checks issuer and audience', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const keys = await asymmetricKeys(alg);
      const server = await start('memory', { auth: authConfig({ JWT_SECRET: '', JWT_PUBLIC_KEY: keys.publicPem }) });
      const ok = await gql(server.url, '{ channelStates(guildId: "g1") { channelId } }', undefined, bearer(await keys.sign('alice', ['g1'])));
      expect(ok.errors).toBeUndefined();
      const hs = await gql(server.url, '{ channelStates(guildId: "g1") { channelId } }', undefined, bearer(await userToken({ sub: 'alice', guilds: ['g1'] })));
      expect(codeOf(hs)).toBe('UNAUTHENTICATED');
    }
    const server = await start('memory', { auth: authConfig({ JWT_ISSUER: 'auth.example', JWT_AUDIENCE: 'state-server' }) });
    const query = '{ studyTime(userId: "alice") { seconds } }';
    const good = await userToken({ sub: 'alice', issuer: 'auth.example', audience: 'state-server' });
    expect((await gql(server.url, query, undefined, bearer(good))).errors).toBeUndefined();
    for (const bad of [{ issuer: 'evil' }, { audience: 'other' }]) {
      const token = await userToken({ sub: 'alice', issuer: 'auth.example', audience: 'state-server', ...bad });
      expect(codeOf(await gql(server.url, query, undefined, bearer(token)))).toBe('UNAUTHENTICATED');
    }
  });

  it('closes WebSockets with 4403 for a missing or refused token', async () => {
    const server = await secured();
    expect(await closeCodeOf(server)).toBe(4403);
    expect(await closeCodeOf(server, { authorization: 'Bearer nope' })).toBe(4403);
    expect(await closeCodeOf(server, { authorization: `Bearer ${await userToken({ sub: 'a', expiresIn: -5 })}` })).toBe(4403);
  });

  it('takes the WebSocket token as Authorization too, as GraphiQL\'s Headers editor writes it', async () => {
    const server = await secured();
    const client = wsClient(server, { Authorization: `Bearer ${SERVICE_TOKEN}` });
    const room = await subscribe(server, client, 'subscription { roomEvents(roomId: "r1") { type } }');
    const published = await collect(client.iterate({ query: 'mutation { publishRoomEvent(input: { type: KICK_OUT, roomId: "r1", userId: "u1" }) { type } }' })).take(1);
    expect(published[0]?.errors).toBeUndefined();
    expect((await room.take(1))[0]?.data).toEqual({ roomEvents: { type: 'KICK_OUT' } });
  });

  it('checks scopes on each WebSocket subscription and keeps the socket for the allowed ones', async () => {
    const server = await secured();
    const token = await userToken({ sub: 'alice', guilds: ['g1'] });
    const client = wsClient(server, { authorization: `Bearer ${token}` });
    const voice = await subscribe(server, client, VOICE, { guildId: 'g1' });
    for (const [query, variables] of [
      [VOICE, { guildId: 'g2' }],
      [PRESENCE, { userIds: ['bob'] }],
      [PRESENCE, { guildId: 'g2' }],
      ['subscription { roomEvents { type } }', {}],
      ['subscription { studyTimeChanged(userId: "bob") { seconds } }', {}],
      ['mutation { disconnectSession(sessionId: "s") { changed } }', {}],
    ] as const) {
      const refused = await collect(client.iterate({ query, variables })).take(1);
      expect(refused[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'bob' } }, service);
    expect((await voice.take(1))[0]?.data?.channelStateChanged.type).toBe('JOINED');
  });

  it('refuses new subscriptions on an open socket once its token has expired', async () => {
    const server = await secured();
    const token = await userToken({ sub: 'alice', guilds: ['g1'], expiresIn: 2 });
    const client = wsClient(server, { authorization: `Bearer ${token}` });
    const before = await collect(client.iterate({ query: STUDY_TIME, variables: { userId: 'alice' } })).take(1);
    expect(before[0]?.errors).toBeUndefined();
    await sleep(2_500);
    const after = await collect(client.iterate({ query: VOICE, variables: { guildId: 'g1' } })).take(1).then(
      (r) => r[0]?.errors,
      (e: unknown) => e as Array<{ extensions?: { code?: string }; message?: string }>,
    );
    expect(after?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(after?.[0]?.message).toMatch(/expired/);
  });

  it('authenticates Server-Sent Events subscriptions by header', async () => {
    const server = await secured();
    const token = await userToken({ sub: 'alice', guilds: ['g1'] });
    const sse = (query: string, headers: Record<string, string>) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query }),
      });
    const denied = await sse('subscription { channelStateChanged(guildId: "g2") { type } }', bearer(token));
    expect(await denied.text()).toContain('FORBIDDEN');
    const anonymous = await sse('subscription { channelStateChanged(guildId: "g1") { type } }', {});
    expect(anonymous.status).toBe(401);
    await anonymous.text();
    const allowed = await sse('subscription { channelStateChanged(guildId: "g1") { type } }', bearer(token));
    const reader = allowed.body!.getReader();
    while (server.app.state.bus.activeSubscriptions() < 1) await sleep(10);
    await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'bob' } }, service);
    let text = '';
    while (!text.includes('JOINED')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
  });
});

describe('production mode', () => {
  const { start, wsClient } = useServers();

  it('turns off introspection on every transport and GraphiQL', async () => {
    const server = await start('memory', { production: true, auth: authConfig() });
    const introspection = '{ __schema { types { name } } }';
    expect(codeOf(await gql(server.url, introspection, undefined, service))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(codeOf(await gql(server.url, '{ __type(name: "Query") { name } }', undefined, service))).toBe('GRAPHQL_VALIDATION_FAILED');
    const client = wsClient(server, service);
    const overWs = await collect(client.iterate({ query: introspection })).take(1).then(
      () => null,
      (e: Array<{ extensions?: { code?: string } }>) => e,
    );
    expect(overWs?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
    expect((await gql(server.url, '{ connectionStates(userIds: ["a"]) { state } }', undefined, service)).errors).toBeUndefined();
  });

  it('refuses to start without SERVICE_TOKENS', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, NODE_ENV: 'production', SERVICE_TOKENS: '', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/SERVICE_TOKENS is required when NODE_ENV=production/);
  });

  it('names the calling service in its logs, never the token', async () => {
    const lines: string[] = [];
    const { buildApp } = await import('../../src/app.js');
    const { createLogger } = await import('../../src/logger.js');
    const { testConfig } = await import('../utils/engines.js');
    const app = await buildApp(testConfig({ auth: authConfig(), logLevel: 'debug' }), { logger: createLogger('debug', (line) => lines.push(line)) });
    const { port } = await app.start(0, '127.0.0.1');
    await gql(`http://127.0.0.1:${port}/graphql`, 'query Probe { connectionStates(userIds: ["a"]) { state } }', undefined, service);
    await app.stop();
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'operation');
    expect(entry).toMatchObject({ caller: 'service:chat', operation: 'Probe' });
    expect(lines.join('\n')).not.toContain(SERVICE_TOKEN);
  });

  it('warns once that it runs open when no auth is configured', async () => {
    const lines: string[] = [];
    const { buildApp } = await import('../../src/app.js');
    const { createLogger } = await import('../../src/logger.js');
    const { testConfig } = await import('../utils/engines.js');
    const app = await buildApp(testConfig(), { logger: createLogger("info", (line) => lines.push(line)) });
    await app.stop();
    expect(lines.filter((l) => l.includes('auth is off'))).toHaveLength(1);
    expect(JSON.parse(lines.find((l) => l.includes('auth is off'))!).level).toBe('warn');
  });
});
