import type { Socket } from 'node:net';
import WebSocket from 'ws';

type SendCallback = (error?: Error) => void;

// One flush for every socket written in this turn: a fan-out writes to
// thousands of sockets per event, and a timer each would cost more than the
// writes they save.
const corked: CoalescingWebSocket[] = [];
const rawOf = (socket: WebSocket) => (socket as unknown as { _socket: Socket | null })._socket;
const flushAll = () => {
  for (const socket of corked.splice(0)) {
    const raw = rawOf(socket);
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
 * The send callback fires on the next tick instead of after the write:
 * graphql-ws waits for `next`'s callback before it sends `complete`, which
 * would otherwise keep the two frames apart. A frame sent to a socket that is
 * no longer open still reports ws's error.
 */
export class CoalescingWebSocket extends WebSocket {
  override send(data: unknown, optionsOrCb?: object | SendCallback, maybeCb?: SendCallback): void {
    const options = typeof optionsOrCb === 'object' ? optionsOrCb : {};
    const cb = typeof optionsOrCb === 'function' ? (optionsOrCb as SendCallback) : maybeCb;
    const raw = rawOf(this);
    if (this.readyState !== WebSocket.OPEN || !raw) return super.send(data as string, options, cb);
    if (raw.writableCorked === 0) {
      raw.cork();
      if (corked.push(this) === 1) setImmediate(flushAll);
    }
    super.send(data as string, options);
    if (cb) process.nextTick(cb);
  }

  /** Runs after this turn's frames were handed to the kernel; `bufferedAmount` is then what the peer has not taken. */
  afterFlush(): void {}
}
