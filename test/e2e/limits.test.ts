import { request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import WebSocket from 'ws';
import { collect } from '../utils/collect.js';
import { redisUrl, testConfig } from '../utils/engines.js';
import { PRESENCE } from '../utils/operations.js';
import { codeOf, gql, useServers, type RunningServer } from '../utils/server.js';
import { authConfig, bearer, userToken } from '../utils/tokens.js';

const limits = (overrides: Partial<ReturnType<typeof testConfig>['limits']>) => ({ limits: { ...testConfig().limits, ...overrides } });

const aliasBomb = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: channelStates(guildId: "g") { channelId }`).join(' ')} }`;
const nested = (depth: number) => `{ channelStates(guildId: "g") { ${'... on VoiceChannel { '.repeat(depth)}channelId${' }'.repeat(depth)} } }`;

/** Sends a POST with a chunked body (no Content-Length) and resolves with the status. */
function chunkedPost(server: RunningServer, chunks: number, chunkSize: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => (error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? undefined : reject(error)));
    req.write('{"query":"{ __typename }","x":"');
    const chunk = 'x'.repeat(chunkSize);
    let sent = 0;
    const pump = () => {
      while (sent < chunks && req.write(chunk)) sent++;
      if (sent < chunks) req.once('drain', () => (sent++, pump()));
      else req.end('"}');
    };
    pump();
  });
}

describe('request limits', () => {
  const { start, startPair, wsClient, subscribe } = useServers();

  const costly = `{ ${['a', 'b', 'c'].map((a) => `${a}: studyReport(day: "2026-11-23") { day endCursor hasNextPage entries { userId day seconds formatted running } }`).join(' ')} }`;
  const tooLong = `{ connectionStates(userIds: [${Array.from({ length: 400 }, () => '"a"').join(',')}]) { userId } }`;

  it.each([
    ['aliases', { maxAliases: 3 }, aliasBomb(4), aliasBomb(3), /Aliases limit of 3/],
    ['depth', { maxDepth: 4 }, nested(5), nested(2), /depth limit of 4/],
    ['cost', { maxCost: 40 }, costly, nested(1), /Cost limit of 40/],
    ['tokens', { maxTokens: 300 }, tooLong, aliasBomb(2), /Token limit of 300/],
  ] as const)('rejects documents over the %s limit with BAD_USER_INPUT, on HTTP and WebSocket alike', async (_name, limit, over, under, message) => {
    const server = await start('memory', limits(limit));
    const http = await gql(server.url, over);
    expect(codeOf(http)).toBe('BAD_USER_INPUT');
    expect(http.errors?.[0]?.message).toMatch(message);
    const ws = await collect(wsClient(server).iterate({ query: over })).take(1).then(
      (r) => r[0]?.errors,
      (e: Array<{ extensions?: { code?: string } }>) => e,
    );
    expect(ws?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await gql(server.url, under)).errors).toBeUndefined();
  });

  it('answers 413 for a body over MAX_BODY_BYTES, declared or chunked, and keeps serving', async () => {
    const server = await start('memory', limits({ maxBodyBytes: 4096 }));
    const big = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(5000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(await chunkedPost(server, 64, 1024)).toBe(413);
    expect((await gql(server.url, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('closes a WebSocket that sends a message over WS_MAX_PAYLOAD_BYTES with 1009, logging one line and no stack', async () => {
    const lines: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write');
    const server = await start('memory', limits({ wsMaxPayloadBytes: 2048 }), undefined, { logger: createLogger('warn', (line) => void lines.push(line)) });
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(4096) } }));
    expect(await closed).toBe(1009);
    expect(lines.map((l) => JSON.parse(l)).filter((l) => l.msg.includes('websocket'))).toMatchObject([{ level: 'warn', msg: 'websocket closed on a protocol error', error: 'Max payload size exceeded' }]);
    expect(stderr.mock.calls.filter(([text]) => String(text).includes('RangeError'))).toEqual([]);
    stderr.mockRestore();
  });

  it('limits operations in flight on one socket', async () => {
    const server = await start('memory', limits({ maxSubscriptionsPerSocket: 2 }));
    const client = wsClient(server);
    await subscribe(server, client, PRESENCE, { userIds: ['a'] });
    await subscribe(server, client, PRESENCE, { userIds: ['b'] });
    const third = await collect(client.iterate({ query: PRESENCE, variables: { userIds: ['c'] } })).take(1).then(
      () => null,
      (e: Array<{ extensions?: { code?: string } }>) => e,
    );
    expect(third?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Another socket is not affected.
    await subscribe(server, wsClient(server), PRESENCE, { userIds: ['c'] });
  });

  it.skipIf(!redisUrl)('rate-limits a user token across instances through Redis', async () => {
    const [a, b] = await startPair({ auth: authConfig(), ...limits({ userRequestsPerMinute: 5 }) });
    const alice = bearer(await userToken({ sub: 'alice', guilds: ['g1'] }));
    const carol = bearer(await userToken({ sub: 'carol', guilds: ['g1'] }));
    const query = '{ studyTime(userId: "alice") { seconds } }';
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 7; i++) codes.push(codeOf(await gql(i % 2 ? a.url : b.url, query, undefined, alice)));
    expect(codes).toEqual([undefined, undefined, undefined, undefined, undefined, 'RATE_LIMITED', 'RATE_LIMITED']);
    const limited = await gql(a.url, query, undefined, alice);
    expect(limited.status).toBe(429);
    // Limits are per caller.
    expect(codeOf(await gql(a.url, '{ studyTime(userId: "carol") { seconds } }', undefined, carol))).toBeUndefined();
  });

  it('answers 429 with Retry-After, the seconds left in the window, on both HTTP paths', async () => {
    const at = 60_000 * 29_000_000 + 45_500; // 45.5 s into a one-minute window
    const server = await start('memory', { auth: authConfig(), ...limits({ userRequestsPerMinute: 1 }) }, manualClock(at));
    const alice = bearer(await userToken({ sub: 'alice', guilds: ['g1'] }));
    const body = JSON.stringify({ query: '{ studyTime(userId: "alice") { seconds } }' });
    const post = (accept: string) => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept, ...alice }, body });
    expect((await post('application/json')).status).toBe(200);
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const limited = await post(accept);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('15');
      const { errors } = (await limited.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(errors[0]).toMatchObject({ message: 'too many requests; retry in 15 s', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 15 } });
      expect(errors[0]!.extensions.http).toBeUndefined();
    }
  });
});
