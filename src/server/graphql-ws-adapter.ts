import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, handleProtocols, makeServer, MessageType, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { LogThrottle } from '../logger.js';
import { jsonDepthExceeds } from '../json-depth.js';

export interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

export interface AdapterOptions {
  /** Deepest JSON a message may nest; deeper ones close the socket with 4400 before they are parsed. */
  maxJsonDepth: number;
  /** Pings every socket this often; one that has not answered the last ping by the next is terminated. @default 12000 */
  keepAliveMs?: number;
  log: LogThrottle;
}

// Message types only a server sends: a client that sends one is at fault (4400), not the server (4500).
const serverOnly = new Set<string>([MessageType.ConnectionAck, MessageType.Next, MessageType.Error]);
const typeOf = (data: string): string | undefined => {
  try {
    const message: unknown = JSON.parse(data);
    return typeof message === 'object' && message !== null ? String((message as { type?: unknown }).type) : undefined;
  } catch {
    return undefined;
  }
};

/** Resolves once the socket's buffered writes went out, or it closed; one wait per socket, whatever awaits it. */
const draining = new WeakMap<Duplex, Promise<void>>();
function drained(raw: Duplex): Promise<void> {
  let wait = draining.get(raw);
  if (wait) return wait;
  wait = new Promise<void>((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      draining.delete(raw);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
  draining.set(raw, wait);
  return wait;
}

/**
 * graphql-ws's protocol (`makeServer`) on a ws server: the part its
 * `use/ws` starter does, with what this server needs instead of console
 * output. A client's mistake closes its socket with 4400 and at most one
 * JSON log line per kind every few seconds, so no client can flood the logs;
 * only our own faults close with 4500.
 */
export function useGraphQLWs(options: ServerOptions<Record<string, unknown> | undefined, Extra>, wss: WebSocketServer, adapter: AdapterOptions) {
  const { maxJsonDepth, keepAliveMs = 12_000, log } = adapter;
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  // ws re-emits the HTTP server's own errors here (a port in use): app.start reports those; without a listener ws would throw.
  wss.on('error', () => {});

  // Per server, not per socket: an idle socket should cost as little as it can.
  function onError(error: Error) {
    log.warn('websocket-protocol', 'websocket closed on a protocol error', { error: error.message });
  }
  // One keep-alive sweep for every socket (as ws's docs do it): each gets a
  // ping, and one that has not answered the previous ping is terminated.
  const awaitingPong = new WeakSet<WebSocket>();
  function onPong(this: WebSocket) {
    awaitingPong.delete(this);
  }
  const sweep = setInterval(() => {
    for (const socket of wss.clients) {
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, keepAliveMs);
  sweep.unref();
  wss.on('close', () => clearInterval(sweep));

  wss.on('connection', (socket, request) => {
    // ws closes the socket itself after a protocol error (1002, 1009, ...).
    socket.on('error', onError);
    socket.on('pong', onPong);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        // Synchronous (frames of one turn leave corked together, write-coalescing.ts), and
        // graphql-ws waits when the kernel has not taken what was written: an operation whose
        // result its client does not read stays in flight, so the per-socket limit bounds what
        // a non-reading client can make this server hold. (Subscription events bypass this send:
        // their frames go out from the shared fan-out, judged by the slow-consumer rule.)
        send: (data) => {
          if (socket.readyState !== socket.OPEN) return;
          socket.send(data);
          if (request.socket.writableNeedDrain) return drained(request.socket);
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (raw: unknown) => {
            const data = String(raw);
            if (jsonDepthExceeds(data, maxJsonDepth)) {
              log.info('websocket-bad-message', 'websocket message nests too deep; socket closed', { maxJsonDepth });
              return socket.close(CloseCode.BadRequest, `Invalid message received: nests deeper than ${maxJsonDepth} levels`);
            }
            handle(data).catch((error: unknown) => {
              const type = typeOf(data);
              if (type !== undefined && serverOnly.has(type)) {
                log.info('websocket-bad-message', 'websocket client sent a server message; socket closed', { type });
                return socket.close(CloseCode.BadRequest, `Invalid message received: clients do not send "${type}"`);
              }
              log.error('websocket-handler', 'websocket message handling failed', { error: String(error) });
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request },
    );

    socket.once('close', (code, reason) => void closed(code, String(reason)));
  });
}
