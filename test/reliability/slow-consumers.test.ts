import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { until } from '../utils/collect.js';
import { mutationBurst, rawSse } from '../utils/load.js';
import { testConfig } from '../utils/engines.js';
import { useServers, type RunningServer } from '../utils/server.js';

const ROOM_EVENTS = 'subscription { roomEvents(roomId: "r1") { type roomId userId alertCount message at } }';
const PUBLISH = 'mutation ($i: Int!, $m: String!) { publishRoomEvent(input: { type: ALERT, roomId: "r1", userId: "u1", alertCount: $i, message: $m }) { at } }';
const message = 'x'.repeat(1_000); // ~1.1 KB an event, as in the run that found it
// The kernel takes megabytes before a reader that stopped holds anything
// back: enough events (and, over graphql-ws, subscriptions) to pass that.
const EVENTS = 3_000;
const SLOW_SUBSCRIPTIONS = 10;
const SSE_EVENTS = 12_000;

// Small limits, so a few megabytes make a reader that stopped count as behind.
const limits = { subscriptionMaxLagMs: 300, subscriptionMaxBufferedBytes: 256 * 1024 };

/** A graphql-ws client on a bare ws socket, so the test can stop reading it at the TCP level. */
async function rawWs(server: RunningServer) {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  const frames: Array<{ id?: string; type: string; payload?: any }> = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await until(() => frames.some((f) => f.type === 'connection_ack'), 5_000, 'connection_ack');
  return { socket, frames };
}

const publish = (server: RunningServer, count: number) => mutationBurst(server.wsUrl, PUBLISH, (i) => ({ i, m: message }), { count, inFlight: 32 });

describe('a subscriber that stops reading', () => {
  const { start, wsClient, subscribe } = useServers();

  it('over graphql-ws gets RATE_LIMITED as its last frame, while a reader on another socket gets every event', { timeout: 60_000 }, async () => {
    const server = await start('memory', limits);
    const fast = await subscribe(server, wsClient(server), ROOM_EVENTS);
    const slow = await rawWs(server);
    const before = server.app.state.bus.activeSubscriptions();
    const ids = Array.from({ length: SLOW_SUBSCRIPTIONS }, (_, i) => `slow${i}`);
    for (const id of ids) slow.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: ROOM_EVENTS } }));
    await until(() => server.app.state.bus.activeSubscriptions() === before + ids.length, 5_000, 'slow subscriptions');
    slow.socket.pause();

    expect((await publish(server, EVENTS)).failed).toBe(0);
    await until(() => server.app.state.bus.activeSubscriptions() === before, 10_000, 'the slow subscriber to be cut off');
    slow.socket.resume();
    await until(() => ids.every((id) => slow.frames.some((f) => f.id === id && f.type !== 'next')), 10_000, 'the end of every slow stream');

    for (const id of ids) {
      const own = slow.frames.filter((f) => f.id === id);
      const last = own.at(-1)!;
      expect(last.type).toBe('error');
      expect(last.payload).toEqual([{ message: expect.stringMatching(/not keeping up/), extensions: { code: 'RATE_LIMITED' } }]);
      expect(own.filter((f) => f.type !== 'next')).toHaveLength(1);
      expect(own.length - 1).toBeLessThan(EVENTS);
    }

    const got = await fast.take(EVENTS, 20_000);
    expect(got.every((r) => r.errors === undefined)).toBe(true);
    // Mutations run 32 at a time, so events arrive in the order they were applied, not numbered.
    expect(got.map((r) => (r.data as any).roomEvents.alertCount).sort((a, b) => a - b)).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    slow.socket.close();
  });

  it('over graphql-ws, sending queries it does not read, is held to the per-socket limit instead of filling server memory', { timeout: 60_000 }, async () => {
    const inFlight = 4;
    const server = await start('memory', { limits: { ...testConfig().limits, maxSubscriptionsPerSocket: inFlight } });
    const slow = await rawWs(server);
    slow.socket.pause();
    // ~70 KB a result: 300 of them are far more than the kernel buffers between the two ends.
    const userIds = Array.from({ length: 1_000 }, (_, i) => `reader-${i}`);
    const query = 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state sessionCount lastSeenAt } }';
    const ids = Array.from({ length: 300 }, (_, i) => `q${i}`);
    // Paced, so a server that answers at once never has more than one of them in flight.
    for (const id of ids) {
      slow.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables: { u: userIds } } }));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    slow.socket.resume();
    const ended = (id: string) => slow.frames.some((f) => f.id === id && (f.type === 'complete' || f.type === 'error'));
    await until(() => ids.every(ended), 20_000, 'an answer for every query');
    const refused = ids.filter((id) => slow.frames.some((f) => f.id === id && f.type === 'error'));
    const answered = ids.filter((id) => slow.frames.some((f) => f.id === id && f.type === 'complete'));
    expect(refused.length + answered.length).toBe(ids.length);
    // While nothing was read, the server waited with the results it had written: later queries were refused.
    expect(refused.length).toBeGreaterThan(0);
    for (const id of refused) {
      expect(slow.frames.find((f) => f.id === id)!.payload).toEqual([{ message: `at most ${inFlight} operations per socket`, extensions: { code: 'RATE_LIMITED' } }]);
    }
    for (const id of answered) expect(slow.frames.find((f) => f.id === id && f.type === 'next')!.payload.data.connectionStates).toHaveLength(1_000);
    slow.socket.close();
  });

  it('over SSE gets a RATE_LIMITED error, then complete, and its response ends', { timeout: 60_000 }, async () => {
    const server = await start('memory', limits);
    const fast = rawSse(server.base, ROOM_EVENTS);
    const slow = rawSse(server.base, ROOM_EVENTS);
    await Promise.all([fast.ready, slow.ready]);
    slow.pause();
    const before = server.app.state.bus.activeSubscriptions();
    expect(before).toBe(2);

    expect((await publish(server, SSE_EVENTS)).failed).toBe(0);
    await until(() => server.app.state.bus.activeSubscriptions() === 1, 10_000, 'the slow subscriber to be cut off');
    slow.resume();
    await slow.ended;

    const [error, complete] = slow.lastFrames(2);
    expect(error!.event).toBe('next');
    expect(JSON.parse(error!.data)).toEqual({
      errors: [{ message: expect.stringMatching(/not keeping up/), extensions: { code: 'RATE_LIMITED' } }],
    });
    expect(complete).toEqual({ event: 'complete', data: '' });
    expect(slow.nexts() - 1).toBeLessThan(SSE_EVENTS);
    await until(() => fast.nexts() === SSE_EVENTS, 10_000, 'every event on the fast reader');
    expect(fast.lastFrames(1)[0]!.event).toBe('next');
    fast.close();
  });
});
