import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { manualClock } from '../../src/clock.js';
import { testConfig } from '../utils/engines.js';
import { useServers } from '../utils/server.js';
import { authConfig, SERVICE_TOKEN, userToken } from '../utils/tokens.js';

/** A graphql-ws socket with a token; `run` sends one operation and resolves with every frame of it, id left out. */
async function socketWith(url: string, authorization: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
  await new Promise((resolve) => socket.once('message', resolve));
  let next = 0;
  const run = (query: string, variables?: unknown) =>
    new Promise<unknown[]>((resolve) => {
      const id = String(next++);
      const frames: unknown[] = [];
      const onMessage = (data: Buffer) => {
        const { id: frameId, ...frame } = JSON.parse(String(data)) as { id?: string; type: string };
        if (frameId !== id) return;
        frames.push(frame);
        if (frame.type === 'complete' || frame.type === 'error') {
          socket.off('message', onMessage);
          resolve(frames);
        }
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    });
  return { run, close: () => socket.terminate() };
}

describe('prepared operations over graphql-ws answer exactly as yoga does', () => {
  const { start } = useServers();

  it('for results, resolver errors, variable errors, refused tokens and rate limits, on every repeat', async () => {
    const overrides = { auth: authConfig(), limits: { ...testConfig().limits, userRequestsPerMinute: 8 } };
    const at = Date.parse('2026-11-23T03:00:00Z');
    const servers = [await start('memory', overrides, manualClock(at)), await start('memory', overrides, manualClock(at), { preparedOperations: false })];
    const user = `Bearer ${await userToken({ sub: 'alice', guilds: ['g1'] })}`;
    const operations: Array<[string, string, unknown?]> = [
      ['service', 'mutation($i: ConnectSessionInput!) { connectSession(input: $i) { changed session { guildIds } connection { state } } }', { i: { sessionId: 's1', userId: 'alice', guildIds: ['g1'] } }],
      ['service', 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state sessionCount } }', { u: ['alice', 'bob'] }],
      ['service', 'query($u: ID!) { studyTime(userId: $u) { seconds } }', { u: '' }],
      ['service', 'query($u: [ID!]!) { connectionStates(userIds: $u) { state } }', { u: 5 }],
      ['user', 'mutation { disconnectSession(sessionId: "s1") { changed } }'],
      ['user', '{ channelStates(guildId: "g2") { channelId } }'],
      ['user', '{ studyTime(userId: "alice") { seconds } }'],
    ];
    const transcripts = await Promise.all(
      servers.map(async (server) => {
        const sockets = { service: await socketWith(server.wsUrl, `Bearer ${SERVICE_TOKEN}`), user: await socketWith(server.wsUrl, user) };
        const frames: unknown[] = [];
        // Round 1 goes through yoga, round 2 prepares each text, rounds 3 and 4 run prepared (the user's last rounds pass the rate limit).
        for (let round = 1; round <= 4; round++) {
          for (const [who, query, variables] of operations) frames.push([round, query, await sockets[who as 'user' | 'service'].run(query, variables)]);
        }
        sockets.service.close();
        sockets.user.close();
        return frames;
      }),
    );
    expect(transcripts[0]).toEqual(transcripts[1]);
    // The transcript covers what it claims: data, errors with codes, and the rate limit.
    const text = JSON.stringify(transcripts[0]);
    for (const code of ['BAD_USER_INPUT', 'FORBIDDEN', 'RATE_LIMITED']) expect(text).toContain(code);
  });
});

describe('prepared operations keep graphql-ws protocol rules', () => {
  const { start } = useServers();
  const QUERY = '{ connectionStates(userIds: ["a"]) { state } }';

  /** A socket whose QUERY is already prepared (two full runs), with every frame it receives. */
  async function preparedSocket(overrides = {}) {
    const server = await start('memory', overrides);
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const frames: Array<{ id?: string; type: string; payload?: any }> = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(check()).toBe(true);
    };
    await waitFor(() => frames.some((f) => f.type === 'connection_ack'));
    for (const id of ['w1', 'w2']) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: QUERY } }));
      await waitFor(() => frames.some((f) => f.id === id && f.type === 'complete'));
    }
    const subscribe = (id: string) => JSON.stringify({ id, type: 'subscribe', payload: { query: QUERY } });
    return { socket, frames, waitFor, subscribe };
  }

  it('closes the socket with 4409 when an id already in flight arrives again', async () => {
    const { socket, subscribe } = await preparedSocket();
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send(subscribe('dup'));
    socket.send(subscribe('dup'));
    expect(await closed).toBe(4409);
  });

  it('refuses an operation over the per-socket limit with RATE_LIMITED, the others answered', async () => {
    const { socket, frames, waitFor, subscribe } = await preparedSocket(limitsWith({ maxSubscriptionsPerSocket: 2 }));
    for (const id of ['a', 'b', 'c']) socket.send(subscribe(id));
    await waitFor(() => ['a', 'b'].every((id) => frames.some((f) => f.id === id && f.type === 'complete')) && frames.some((f) => f.id === 'c'));
    expect(frames.find((f) => f.id === 'c')).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' } }] });
    expect(frames.find((f) => f.id === 'a' && f.type === 'next')?.payload).toEqual({ data: { connectionStates: [{ state: 'OFFLINE' }] } });
    socket.terminate();
  });

  it('sends nothing more for an operation the client completed while it ran', async () => {
    const { socket, frames, subscribe } = await preparedSocket();
    socket.send(subscribe('gone') + '');
    socket.send(JSON.stringify({ id: 'gone', type: 'complete' }));
    socket.send(subscribe('after'));
    await new Promise((r) => setTimeout(r, 200));
    expect(frames.filter((f) => f.id === 'gone')).toEqual([]);
    expect(frames.filter((f) => f.id === 'after').map((f) => f.type)).toEqual(['next', 'complete']);
    socket.terminate();
  });
});

const limitsWith = (overrides: Partial<ReturnType<typeof testConfig>['limits']>) => ({ limits: { ...testConfig().limits, ...overrides } });
