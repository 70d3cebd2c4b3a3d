import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { attachRaw, CoalescingWebSocket } from '../../src/server/write-coalescing.js';

describe('the corked WebSocket (write-coalescing.ts)', () => {
  it("corks the socket ws writes to: the upgrade request's, which ws keeps as its own", async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server, WebSocket: CoalescingWebSocket });
    attachRaw(wss);
    const connected = new Promise<{ socket: CoalescingWebSocket; same: boolean }>((resolve) =>
      wss.on('connection', (socket: CoalescingWebSocket, request) => {
        // ws's private field, read by this test only: if an upgrade of ws changes what it writes to, this fails.
        resolve({ socket, same: (socket as unknown as { _socket: unknown })._socket === request.socket });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const received: string[] = [];
    const both = new Promise<void>((resolve) => client.on('message', (data) => received.push(String(data)) === 2 && resolve()));
    const { socket, same } = await connected;
    expect(same).toBe(true);
    expect(socket.raw).not.toBeNull();
    // Two frames of one turn: held back until the turn ends, then both arrive in order.
    socket.send('one');
    socket.send('two');
    expect(socket.raw!.writableCorked).toBe(1);
    await both;
    expect(received).toEqual(['one', 'two']);
    expect(socket.raw!.writableCorked).toBe(0);
    client.close();
    wss.close();
    server.close();
  });
});
