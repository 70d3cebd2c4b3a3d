import type { Socket } from 'node:net';
import type WebSocket from 'ws';

type SendCallback = (error?: Error) => void;

/**
 * Frames a WebSocket sends within one turn of the event loop leave in one
 * write: a mutation's `next` and `complete`, or several events for one
 * subscriber. On this kind of host a write syscall costs more than building
 * a small frame, so this halves the writes of an operation, and under load
 * cuts them to a fraction.
 *
 * The send callback fires on the next tick instead of after the write:
 * graphql-ws waits for `next`'s callback before it sends `complete`, which
 * would otherwise keep the two frames apart. A frame sent to a socket that is
 * no longer open still reports ws's error.
 */
// One flush for every socket written in this turn: a fan-out writes to
// thousands of sockets per event, and a timer each would cost more than the
// writes they save.
const flushes: Array<() => void> = [];
const flushAll = () => {
  for (const flush of flushes.splice(0)) flush();
};

export function coalesceWrites(ws: WebSocket, raw: Socket): void {
  const send = ws.send.bind(ws) as (data: unknown, options: object, cb?: SendCallback) => void;
  let corked = false;
  const flush = () => {
    corked = false;
    if (!raw.destroyed) raw.uncork();
  };
  ws.send = ((data: unknown, optionsOrCb?: object | SendCallback, maybeCb?: SendCallback) => {
    const options = typeof optionsOrCb === 'object' ? optionsOrCb : {};
    const cb = typeof optionsOrCb === 'function' ? (optionsOrCb as SendCallback) : maybeCb;
    if (ws.readyState !== ws.OPEN) return send(data, options, cb);
    if (!corked) {
      corked = true;
      raw.cork();
      if (flushes.push(flush) === 1) setImmediate(flushAll);
    }
    send(data, options);
    if (cb) process.nextTick(cb);
  }) as typeof ws.send;
}
