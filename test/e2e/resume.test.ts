import { describe, expect, it } from 'vitest';
import { until } from '../utils/collect.js';
import { rawSse } from '../utils/load.js';
import { CONNECT, JOIN } from '../utils/operations.js';
import { gql, useServers } from '../utils/server.js';

const PRESENCE = 'subscription ($g: ID!, $after: String) { presenceChanged(guildId: $g, after: $after) { userId state position resync } }';
type Event = { userId: string; state: string; position: string | null; resync: boolean };

describe.each(['redis', 'cluster'] as const)('resuming guild streams through two instances (%s)', (engine) => {
  const { startPair, wsClient, subscribe } = useServers();

  it('over graphql-ws: a subscriber that dropped gets exactly the N events made on the other instance, in order', async () => {
    const [a, b] = await startPair({}, engine);
    const first = await subscribe<{ presenceChanged: Event }>(a, wsClient(a), PRESENCE, { g: 'gr' });
    await gql(b.url, CONNECT, { input: { sessionId: 'r0', userId: 'r0', guildIds: ['gr'] } });
    const [seen] = await first.take(1);
    const position = seen!.data!.presenceChanged.position!;
    await first.close();

    for (let i = 1; i <= 8; i++) await gql(b.url, CONNECT, { input: { sessionId: `r${i}`, userId: `r${i}`, guildIds: ['gr'] } });
    const resumed = await subscribe<{ presenceChanged: Event }>(a, wsClient(a), PRESENCE, { g: 'gr', after: position });
    const missed = (await resumed.take(8)).map((r) => r.data!.presenceChanged);
    expect(missed.map((e) => e.userId)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8']);
    expect(missed.every((e) => !e.resync && /^\d+-\d+$/.test(e.position!))).toBe(true);
    await gql(b.url, JOIN, { input: { guildId: 'gr', channelId: 'c1', userId: 'r1' } });
    await gql(b.url, CONNECT, { input: { sessionId: 'r9', userId: 'r9', guildIds: ['gr'] } });
    expect((await resumed.take(9))[8]!.data!.presenceChanged.userId).toBe('r9');
    expect(await resumed.settle(100)).toHaveLength(9);
  });

  it('over SSE: frames carry their position as the event id, and a reconnect with Last-Event-ID resumes', async () => {
    const [a, b] = await startPair({}, engine);
    const query = 'subscription { presenceChanged(guildId: "gs") { userId state position } }';
    const sse = rawSse(a.base, query);
    await sse.ready;
    await gql(b.url, CONNECT, { input: { sessionId: 's0', userId: 's0', guildIds: ['gs'] } });
    await until(() => sse.lastFrames(1).length === 1, 5_000, 'the first SSE event');
    const [frame] = sse.lastFrames(1);
    const position = (JSON.parse(frame!.data) as { data: { presenceChanged: Event } }).data.presenceChanged.position;
    expect(frame!.id).toBe(position);
    sse.close();

    for (let i = 1; i <= 5; i++) await gql(b.url, CONNECT, { input: { sessionId: `s${i}`, userId: `s${i}`, guildIds: ['gs'] } });
    // What EventSource does on a reconnect: the same request, with the last id it got.
    const again = rawSse(b.base, query, undefined, { 'last-event-id': frame!.id! });
    await again.ready;
    await until(() => again.nexts() >= 5, 5_000, 'the five missed events');
    const users = again.lastFrames(10).map((f) => (JSON.parse(f.data) as { data: { presenceChanged: Event } }).data.presenceChanged.userId);
    expect(users).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(again.lastFrames(10).every((f) => /^\d+-\d+$/.test(f.id ?? ''))).toBe(true);
    again.close();
  });

  it('sends RESYNC past the window', async () => {
    const [a, b] = await startPair({ resume: { events: 3, idleMs: 600_000 } }, engine);
    const first = await subscribe<{ presenceChanged: Event }>(a, wsClient(a), PRESENCE, { g: 'gx' });
    await gql(b.url, CONNECT, { input: { sessionId: 'x0', userId: 'x0', guildIds: ['gx'] } });
    const position = (await first.take(1))[0]!.data!.presenceChanged.position!;
    await first.close();
    for (let i = 1; i <= 300; i++) await gql(b.url, CONNECT, { input: { sessionId: `x${i}`, userId: `x${i}`, guildIds: ['gx'] } });
    const resumed = await subscribe<{ presenceChanged: Event }>(a, wsClient(a), PRESENCE, { g: 'gx', after: position });
    expect((await resumed.take(1))[0]!.data!.presenceChanged).toMatchObject({ resync: true, userId: '' });
  });
});
