import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { manualClock } from '../../src/clock.js';
import type { HostileCase } from '../../scripts/hostile-corpus.js';
import { collect } from '../utils/collect.js';
import { clusterNodes, engineNames, redisUrl, testConfig } from '../utils/engines.js';
import { CONNECT, JOIN, SAVE, START_TIMER } from '../utils/operations.js';
import { gql, useServers, type RunningServer } from '../utils/server.js';
import { authConfig, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

const corpus = JSON.parse(readFileSync(new URL('../fixtures/hostile-corpus.json', import.meta.url), 'utf8')) as HostileCase[];

/** Expands the corpus's placeholders into the huge or binary inputs they stand for. */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, any>;
  if ('$repeat' in v) return String(v.$repeat[0]).repeat(v.$repeat[1]);
  if ('$entries' in v) return Array.from({ length: v.$entries }, (_, i) => ({ userId: `u${i}`, seconds: 1 }));
  if ('$ids' in v) return Array.from({ length: v.$ids }, (_, i) => `id${i}`);
  if ('$aliases' in v) return `{ ${Array.from({ length: v.$aliases }, (_, i) => `a${i}: channelStates(guildId: "g") { channelId }`).join(' ')} }`;
  if ('$repeatField' in v) return `{ ${'__typename '.repeat(v.$repeatField)}}`;
  if ('$nest' in v) return `{ channelStates(guildId: "g") { ${'... on VoiceChannel { '.repeat(v.$nest)}channelId${' }'.repeat(v.$nest)} } }`;
  if ('$fanout' in v) {
    const frags = Array.from({ length: v.$fanout }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    return `{ ...F0 } ${frags.join(' ')} fragment F${v.$fanout} on Query { __typename }`;
  }
  if ('$directives' in v) return `{ __typename ${'@skip(if: false) '.repeat(v.$directives)}}`;
  if ('$longString' in v) return `{ studyTime(userId: "${'x'.repeat(v.$longString)}") { seconds } }`;
  if ('$introspectionDeep' in v) return `{ __schema { types { ${'fields { type { '.repeat(v.$introspectionDeep)}name${' } }'.repeat(v.$introspectionDeep)} } } }`;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
}

function rawBody(body: unknown): Buffer | string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  const v = body as Record<string, any>;
  if ('$bytes' in v) return Buffer.from(v.$bytes);
  if ('$repeatBody' in v) return JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(v.$repeatBody) });
  if ('$nestedJson' in v) return `{"query":${'{"a":'.repeat(v.$nestedJson)}1${'}'.repeat(v.$nestedJson)}}`;
  throw new Error(`unknown body placeholder ${JSON.stringify(body)}`);
}

function rawHttp(server: RunningServer, c: Extract<HostileCase, { kind: 'raw-http' }>, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${server.base}${c.path ?? '/graphql'}`, { method: c.method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const body = rawBody(c.body);
    req.end(body);
  });
}

function rawWs(server: RunningServer, authorization: string | undefined, skipInit: boolean, frames: unknown[]) {
  return new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => (socket.terminate(), reject(new Error('socket stayed open'))), 5_000);
    socket.on('error', () => {});
    socket.on('close', (code) => (clearTimeout(timer), resolve(code)));
    const sendFrames = () => {
      for (const frame of frames) {
        const f = frame as Record<string, any>;
        if (typeof frame === 'string') socket.send(frame);
        else if ('$bigFrame' in f) socket.send(JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(f.$bigFrame) } }));
        else if ('$binary' in f) socket.send(Buffer.from(Array.from({ length: f.$binary }, (_, i) => (i * 37 + 11) % 256)));
        else socket.send(JSON.stringify(frame));
      }
    };
    socket.on('open', () => {
      if (skipInit) return sendFrames();
      socket.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} }));
    });
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') sendFrames();
    });
  });
}

/** Every key under the prefix with its serialized value, on every master: the state the corpus must not touch. */
async function dumpKeys(servers: Redis[], prefix: string): Promise<Record<string, string>> {
  const dump: Record<string, string> = {};
  for (const redis of servers) {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 })) keys.push(...(batch as string[]));
    for (const key of keys.sort()) {
      // The maintenance lock comes and goes with each once-a-second pass: not state a request could touch.
      if (/^(\{locks\}:|lock:)/.test(key.slice(prefix.length))) continue;
      dump[key] = ((await redis.dumpBuffer(key)) ?? Buffer.alloc(0)).toString('hex');
    }
  }
  return Object.fromEntries(Object.entries(dump).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A direct connection to each server holding the engine's data: the one Redis, or each Cluster master. */
async function serversOf(engine: 'redis' | 'cluster'): Promise<Redis[]> {
  if (engine === 'redis') return [new Redis(redisUrl!)];
  const ports = clusterNodes!.split(',').map((n) => Number(n.slice(n.lastIndexOf(':') + 1)));
  const all = ports.map((port) => new Redis({ host: '127.0.0.1', port }));
  const roles = await Promise.all(all.map((r) => r.role()));
  for (const [i, r] of all.entries()) if ((roles[i] as [string])[0] !== 'master') r.disconnect();
  return all.filter((_, i) => (roles[i] as [string])[0] === 'master');
}

describe.each(engineNames.filter((e) => e !== 'memory') as Array<'redis' | 'cluster'>)('hostile input corpus (%s)', (engine) => {
  const { start, wsClient } = useServers();
  let servers: Redis[] = [];
  beforeAll(async () => {
    servers = await serversOf(engine);
  });
  afterAll(() => servers.forEach((r) => r.disconnect()));

  it('has at least 300 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it('answers every case as expected, keeps serving, and leaves every key untouched', { timeout: 120_000 }, async () => {
    const limits = { ...testConfig().limits, maxBodyBytes: 65_536, wsMaxPayloadBytes: 65_536, userRequestsPerMinute: 0 };
    const server = await start(engine, { auth: authConfig(), limits }, manualClock(Date.parse('2026-11-23T03:00:00Z')));
    const service = `Bearer ${SERVICE_TOKEN}`;
    const user = `Bearer ${await userToken({ sub: 'u1', guilds: ['g1'] })}`;
    const callers: Record<string, string | undefined> = {
      service,
      user,
      none: undefined,
      expired: `Bearer ${await userToken({ sub: 'u1', expiresIn: -60 })}`,
      tampered: `${user.slice(0, -3)}abc`,
    };
    const algNone = `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u1', exp: 9e9 })).toString('base64url')}.`;

    // Some state for the corpus to leave alone.
    const svc = { authorization: service };
    await gql(server.url, CONNECT, { input: { sessionId: 's1', userId: 'u1', guildIds: ['g1'], roomId: 'r1' } }, svc);
    await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'c1', userId: 'u1' } }, svc);
    await gql(server.url, SAVE, { input: { userId: 'u2', seconds: 600 } }, svc);
    await gql(server.url, START_TIMER, { input: { userId: 'u1' } }, svc);
    await server.app.state.service.closeEndedDays();
    const before = await dumpKeys(servers, server.keyPrefix);
    expect(Object.keys(before).length).toBeGreaterThan(4);

    const clients = { service: wsClient(server, { authorization: service }), user: wsClient(server, { authorization: user }) };
    const keepAlive = collect(clients.service.iterate({ query: 'subscription { studyDayClosed { day } }' }));
    const failures: string[] = [];

    for (const c of corpus) {
      let got: string;
      let want: string;
      try {
        if (c.kind === 'http') {
          const headers: Record<string, string> = callers[c.caller] ? { authorization: callers[c.caller]! } : {};
          const response = await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
            body: JSON.stringify({ query: expand(c.query), variables: expand(c.variables), operationName: c.operationName }),
          });
          const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string }; message: string }> };
          got = `${body.errors?.[0]?.extensions?.code ?? 'none'}${c.expect.status ? ` ${response.status}` : ''}`;
          want = `${c.expect.code}${c.expect.status ? ` ${c.expect.status}` : ''}`;
          if (JSON.stringify(body).includes(SERVICE_TOKEN) || /\bat \w+ \(/.test(JSON.stringify(body))) got += ' LEAK';
        } else if (c.kind === 'ws') {
          const client = clients[c.caller as 'service' | 'user'];
          const errors = await collect(client.iterate({ query: expand(c.query) as string, variables: expand(c.variables) as Record<string, unknown> }))
            .take(1, 3_000)
            .then(
              (r) => r[0]?.errors,
              (e: unknown) => (Array.isArray(e) ? e : [{ extensions: { code: `thrown: ${String(e)}` } }]),
            );
          got = String(errors?.[0]?.extensions?.code);
          want = c.expect.code;
        } else if (c.kind === 'raw-http') {
          const headers = { ...(c.headers ?? {}) };
          const auth = expand(headers.authorization) as unknown;
          if (auth === 'service') headers.authorization = service;
          else if (auth && typeof auth === 'object' && '$bearer' in auth) headers.authorization = `Bearer ${'a'.repeat((auth as { $bearer: number }).$bearer)}`;
          else if (auth && typeof auth === 'object' && '$algNone' in auth) headers.authorization = algNone;
          const response = await rawHttp(server, c, headers);
          let code: string | undefined;
          try {
            code = JSON.parse(response.body).errors?.[0]?.extensions?.code;
          } catch {
            code = undefined;
          }
          got = `${response.status}${c.expect.code ? ` ${code}` : ''}`;
          want = `${c.expect.status}${c.expect.code ? ` ${c.expect.code}` : ''}`;
        } else {
          const authorization = c.caller === 'skip-init' ? undefined : callers[c.caller];
          got = String(await rawWs(server, authorization, c.caller === 'skip-init', c.frames));
          want = String(c.expect.close);
        }
      } catch (error) {
        got = `threw ${String(error)}`;
        want = JSON.stringify(c.expect);
      }
      if (got !== want) failures.push(`${c.name}: expected ${want}, got ${got}`);
    }

    expect(failures).toEqual([]);
    // Still serving, on every transport.
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
    expect((await gql(server.url, '{ connectionStates(userIds: ["u1"]) { state } }', undefined, svc)).data).toEqual({ connectionStates: [{ state: 'ONLINE' }] });
    const overWs = await collect(clients.user.iterate({ query: '{ studyTime(userId: "u1") { seconds } }' })).take(1);
    expect(overWs[0]?.errors).toBeUndefined();
    expect(keepAlive.error).toBeNull();
    // And nothing under the prefix changed.
    expect(await dumpKeys(servers, server.keyPrefix)).toEqual(before);
  });
});
