import { request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { manualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { collect, until } from '../utils/collect.js';
import { codeOf, gql, useServers, type RunningServer } from '../utils/server.js';
import { authConfig, bearer, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

const service = bearer(SERVICE_TOKEN);
const deep = (levels: number) => `{"query":"{ __typename }","variables":{"x":${'['.repeat(levels)}${']'.repeat(levels)}}}`;

/** POSTs a raw body; resolves with the status and text, tolerating a server that stops reading. */
function post(server: RunningServer, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(server.url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', (error) => (/EPIPE|ECONNRESET/.test(error.message) ? undefined : reject(error)));
    req.end(body);
  });
}

/** A bare graphql-ws socket, acknowledged. */
async function socketOf(server: RunningServer) {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise((resolve) => socket.once('message', resolve));
  return { socket, closed };
}

describe('what a hostile run found', () => {
  const { start, wsClient } = useServers();

  it('answers an enum-literal typo in production without a suggestion, on every transport and in variables', async () => {
    const server = await start('memory', { production: true, auth: authConfig() });
    const typo = 'mutation { publishRoomEvent(input: { type: ALRT, roomId: "r", userId: "u" }) { type } }';
    const http = await gql(server.url, typo, undefined, service);
    expect(codeOf(http)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(http.errors![0]!.message).toBe('Value "ALRT" does not exist in "RoomEventType" enum.');
    const variable = await gql(server.url, 'mutation ($t: RoomEventType!) { publishRoomEvent(input: { type: $t, roomId: "r", userId: "u" }) { type } }', { t: 'ALRT' }, service);
    expect(codeOf(variable)).toBe('BAD_USER_INPUT');
    expect(variable.errors![0]!.message).not.toMatch(/Did you mean|ALERT/);
    const ws = await collect(wsClient(server, service).iterate({ query: typo })).take(1).then(
      () => null,
      (e: Array<{ message: string }>) => e,
    );
    expect(ws?.[0]?.message).toBe('Value "ALRT" does not exist in "RoomEventType" enum.');
    // Outside production the hint stays: it helps a developer.
    const dev = await start('memory');
    expect((await gql(dev.url, typo)).errors![0]!.message).toMatch(/Did you mean the enum value "ALERT"\?/);
  });

  it.each(['next', 'error', 'connection_ack'])('closes a socket whose client sends "%s" with 4400, logging at most one JSON line', async (type) => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const server = await start('memory', {}, manualClock(Date.now()), { logger });
      const before = lines.length;
      const closes = [];
      for (let i = 0; i < 5; i++) {
        const { socket, closed } = await socketOf(server);
        socket.send(JSON.stringify({ id: '1', type, payload: type === 'connection_ack' ? undefined : { data: {} } }));
        closes.push(await closed);
      }
      expect(closes.map((c) => c.code)).toEqual([4400, 4400, 4400, 4400, 4400]);
      // graphql-ws refuses some of them while parsing (4400 already); the rest reach our check.
      expect(closes.every((c) => c.reason.startsWith('Invalid message received'))).toBe(true);
      // Every line is JSON; the only ones about sockets are at most one (the maintenance pass logs too).
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      const logged = lines.slice(before).filter((line) => line.includes('websocket'));
      expect(logged.length).toBeLessThanOrEqual(1);
      for (const line of logged) expect(JSON.parse(line)).toMatchObject({ level: 'info', msg: 'websocket client sent a server message; socket closed', type });
      expect(stderr).not.toHaveBeenCalled();
      // The server keeps serving.
      expect((await gql(server.url, '{ connectionStates(userIds: ["a"]) { state } }')).errors).toBeUndefined();
    } finally {
      stderr.mockRestore();
    }
  });

  it('refuses a 400,000-deep body fast with BAD_USER_INPUT, while a normal query is answered', async () => {
    const server = await start('memory');
    const body = deep(400_000);
    const began = performance.now();
    const [refused, normal] = await Promise.all([post(server, body), gql(server.url, '{ connectionStates(userIds: ["a"]) { state } }')]);
    const ms = performance.now() - began;
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({ errors: [{ message: 'request JSON nests deeper than 64 levels', extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(normal.data).toEqual({ connectionStates: [{ state: 'OFFLINE' }] });
    expect(ms).toBeLessThan(1_000); // seconds before the bound; a generous ceiling for a loaded machine
    // 64 levels is fine; GET parameters and WebSocket messages are bounded too.
    expect((await post(server, deep(60))).status).toBe(200);
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent(`{"x":${'['.repeat(100)}${']'.repeat(100)}}`)}`);
    expect(get.status).toBe(400);
    expect(((await get.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const { socket, closed } = await socketOf(server);
    socket.send(`{"id":"1","type":"subscribe","payload":${deep(200).slice(0, -1)}}}`);
    expect(await closed).toEqual({ code: 4400, reason: 'Invalid message received: nests deeper than 64 levels' });
  });

  it('gives 415 and 406 a JSON body with BAD_USER_INPUT, and a refused subscription leaves nothing subscribed', async () => {
    const server = await start('memory');
    const unsupported = await post(server, 'query=1', { 'content-type': 'text/plain' });
    expect(unsupported.status).toBe(415);
    expect(JSON.parse(unsupported.text).errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/Content-Type/) });
    const notAcceptable = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: 'subscription { roomEvents { type } }' }),
    });
    expect(notAcceptable.status).toBe(406);
    expect(((await notAcceptable.json()) as any).errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/text\/event-stream/) });
    await until(() => server.app.state.bus.activeSubscriptions() === 0, 2_000, 'no subscription left behind');
  });

  it('serves /metrics to services, with what the delivery safety nets shed', async () => {
    const server = await start('memory', { auth: authConfig() });
    expect((await fetch(`${server.base}/metrics`)).status).toBe(401);
    const user = await userToken({ sub: 'u1' });
    expect((await fetch(`${server.base}/metrics`, { headers: bearer(user) })).status).toBe(403);
    const response = await fetch(`${server.base}/metrics`, { headers: service });
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const name of ['state_server_subscriptions_cut_total', 'state_server_events_delivered_total', 'state_server_delivery_lag_seconds', 'state_server_subscriptions', 'process_resident_memory_bytes']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });
});
