import type { Socket } from 'node:net';
import WebSocket, { type WebSocketServer } from 'ws';

type SendCallback = (error?: Error) => void;

// One flush for every socket written in this turn: a fan-out writes to
// thousands of sockets per event, and a timer each would cost more than the
// writes they save.
const corked: CoalescingWebSocket[] = [];
const flushAll = () => {
  for (const socket of corked.splice(0)) {
    const raw = socket.raw;
    if (!raw || raw.destroyed) continue;
    raw.uncork();
    socket.afterFlush();
  }
};

/**
 * A server-side WebSocket (ws's `WebSocket` option) whose frames sent within
 * one turn of the event loop leave in one write: a mutation's `next` and
 * `complete`, or several events for one subscriber. On this kind of host a
 * write syscall costs more than building a small frame, so this halves the
 * writes of an operation, and under load cuts them to a fraction. A subclass
 * rather than a wrapper per socket: idle subscribers pay nothing for it.
 *
 * The TCP socket is the upgrade request's (`request.socket`, the socket ws
 * writes to: test/e2e/websocket.test.ts checks it), set by `attachRaw` on
 * 'connection'; until then a frame is sent plainly.
 */
export class CoalescingWebSocket extends WebSocket {
  raw: Socket | null = null;

  override send(data: unknown, optionsOrCb?: object | SendCallback, maybeCb?: SendCallback): void {
    const options = typeof optionsOrCb === 'object' ? optionsOrCb : {};
    const cb = typeof optionsOrCb === 'function' ? (optionsOrCb as SendCallback) : maybeCb;
    const raw = this.raw;
    if (this.readyState === WebSocket.OPEN && raw && raw.writableCorked === 0) {
      raw.cork();
      if (corked.push(this) === 1) setImmediate(flushAll);
    }
    super.send(data as string, options, cb);
  }

  /** Runs after this turn's frames were handed to the kernel; `bufferedAmount` is then what the peer has not taken. */
  afterFlush(): void {}
}

/** Gives each new socket of `wss` its TCP socket; register before any other 'connection' listener. */
export function attachRaw(wss: WebSocketServer) {
  wss.on('connection', (socket, request) => {
    if (socket instanceof CoalescingWebSocket) socket.raw = request.socket as Socket;
  });
}
