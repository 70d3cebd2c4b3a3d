import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { attachRaw, CoalescingWebSocket } from '../../src/server/write-coalescing.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.clients.forEach((c) => c.terminate()), s.close(r)))));
});

/** A server socket with coalescing on, counting the writes that reach its TCP socket, and its client. */
async function pair() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: CoalescingWebSocket });
  servers.push(wss);
  attachRaw(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const accepted = new Promise<{ socket: CoalescingWebSocket; raw: Socket; same: boolean }>((resolve) =>
    wss.on('connection', (socket: CoalescingWebSocket, request) => {
      // ws's private field, read by this test only: if an upgrade of ws changes what it writes to, this fails.
      resolve({ socket, raw: request.socket, same: (socket as unknown as { _socket: unknown })._socket === request.socket });
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data) => received.push(String(data)));
  await new Promise((resolve) => client.once('open', resolve));
  const { socket, raw, same } = await accepted;
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = (raw as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!.bind(raw);
    (raw as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => ((writes += 1), original(...args));
  }
  return { socket, raw, same, client, received, writes: () => writes };
}

describe('coalesced WebSocket writes', () => {
  it("corks the socket ws writes to: the upgrade request's, which ws keeps as its own", async () => {
    const { socket, raw, same } = await pair();
    expect(same).toBe(true);
    expect(socket.raw).toBe(raw);
  });

  it('sends the frames of one tick in one write, in order, and calls back for each once written', async () => {
    const { socket, received, writes } = await pair();
    const called: number[] = [];
    socket.send('a', () => called.push(1));
    socket.send('b', {}, () => called.push(2));
    socket.send('c');
    expect(socket.raw!.writableCorked).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual(['a', 'b', 'c']);
    expect(called).toEqual([1, 2]);
    expect(writes()).toBe(1);
    expect(socket.raw!.writableCorked).toBe(0);
  });

  it('reports the error of a send to a socket that is closing', async () => {
    const { socket } = await pair();
    socket.close();
    const error = await new Promise<Error | undefined>((resolve) => socket.send('late', resolve));
    expect(error).toBeInstanceOf(Error);
  });
});
