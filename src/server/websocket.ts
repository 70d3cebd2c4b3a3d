import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Authenticate } from '../auth/authenticate.js';
import { ErrorCode, maskError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PreparedOperations } from './prepared-operations.js';
import { createSharedSubscriptions } from './shared-subscriptions.js';
import { CoalescingWebSocket } from './write-coalescing.js';
import { createPreparedMessages, type SocketProtocolState } from './ws-prepared.js';
import { GRAPHQL_PATH, type YogaServer } from './yoga.js';

type EnvelopedArgs = ExecutionArgs & {
  rootValue: { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
};

/** The error with `code`, unless it already carries one (limit errors are BAD_USER_INPUT). */
const withCode = (error: GraphQLError, code: ErrorCode) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code, ...error.extensions },
  });

/**
 * The class of this server's sockets; a class, not a wrapper per socket, so
 * idle subscribers pay nothing for what it adds:
 * - A client can make ws emit a socket error (an oversized or malformed
 *   frame); ws then closes the socket itself (1009, 1002, ...). graphql-ws
 *   would print the stack to stderr, letting any client write stack traces
 *   into our logs, so the error listener it adds (the only `once('error')` on
 *   these sockets) is replaced by one JSON line.
 * - Messages pass `takeMessage` before graphql-ws's listener (the only
 *   'message' listener), which answers prepared operations itself.
 */
function serverSocketClass(logger: Logger, takeMessage: ReturnType<typeof createPreparedMessages> | null) {
  const onProtocolError = (error: Error) => logger.warn('websocket closed on a protocol error', { error: error.message });
  return class ServerSocket extends CoalescingWebSocket {
    /** graphql-ws's context for this socket, from onConnect. */
    protocolState: SocketProtocolState | undefined = undefined;

    override once(event: string | symbol, listener: (...args: any[]) => void): this {
      return super.once(event, event === 'error' ? onProtocolError : listener);
    }

    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      // Only the first 'message' listener (graphql-ws's) is wrapped, so a message is taken at most once.
      if (event !== 'message' || !takeMessage || this.listenerCount('message') > 0) return super.on(event, listener);
      return super.on(event, (data: unknown, isBinary: boolean) => {
        if (!takeMessage(this, this.protocolState, data)) listener(data, isBinary);
      });
    }
  };
}

export interface WebSocketOptions {
  /** Largest message; bigger ones close the socket with 1009. */
  maxPayload: number;
  /** Most operations in flight on one socket. */
  maxOperations: number;
  authenticate: Authenticate;
  logger: Logger;
  maskError: (error: unknown) => GraphQLError;
  /** Queries and mutations seen before, run without yoga's per-operation pipeline. */
  prepared: PreparedOperations | null;
}

/** graphql-ws on the HTTP server's port and path, executing through yoga's plugins. */
export function attachWebSocket(server: Server, yoga: YogaServer, options: WebSocketOptions): WebSocketServer {
  const { maxPayload, maxOperations, authenticate, logger, maskError: mask, prepared } = options;
  const shared = createSharedSubscriptions(mask);
  // What a refused operation answers; an unexpected failure is also logged.
  const refuse = (error: unknown) => {
    const masked = maskError(error);
    if (masked.extensions.code === ErrorCode.INTERNAL) logger.error('websocket subscribe failed', { error: String(error) });
    return masked;
  };
  const takeMessage = prepared ? createPreparedMessages(prepared, maxOperations, refuse) : null;
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload, WebSocket: serverSocketClass(logger, takeMessage) });

  useServer<Record<string, unknown> | undefined>(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      // A refused token closes the socket with 4403 before any operation runs.
      onConnect: async (ctx) => {
        try {
          await authenticate(ctx.connectionParams?.authorization);
          (ctx.extra.socket as unknown as { protocolState: SocketProtocolState }).protocolState = ctx;
          return true;
        } catch {
          return false;
        }
      },
      // A bad operation must fail alone: returning errors (never throwing)
      // keeps graphql-ws from closing the socket and its other subscriptions.
      onSubscribe: async (ctx, id, params) => {
        try {
          const inFlight = Object.keys(ctx.subscriptions).filter((other) => other !== id).length;
          if (inFlight >= maxOperations) {
            return [new GraphQLError(`at most ${maxOperations} operations per socket`, { extensions: { code: ErrorCode.RATE_LIMITED } })];
          }
          const enveloped = yoga.getEnveloped({
            ...ctx,
            connectionParams: ctx.connectionParams ?? {},
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
          });
          let document;
          try {
            document = enveloped.parse(params.query);
          } catch (error) {
            return [withCode(error instanceof GraphQLError ? error : new GraphQLError('Syntax error'), ErrorCode.GRAPHQL_PARSE_FAILED)];
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors.map((e: GraphQLError) => withCode(e, ErrorCode.GRAPHQL_VALIDATION_FAILED));
          if (!getOperationAST(document, params.operationName)) {
            return [new GraphQLError('no operation to run: name one with operationName', { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
          }
          const operation = getOperationAST(document, params.operationName)!;
          if (operation.operation !== 'subscription') prepared?.remember(params.query, params.operationName, document);
          const socket = ctx.extra.socket;
          const args: EnvelopedArgs = {
            schema: enveloped.schema,
            operationName: params.operationName ?? null,
            document,
            variableValues: params.variables ?? null,
            contextValue: await enveloped.contextFactory(),
            rootValue: {
              execute: enveloped.execute,
              // Subscriptions share each event's execution and JSON across sockets.
              subscribe:
                operation.operation === 'subscription'
                  ? (a: ExecutionArgs) => {
                      // graphql-ws keeps these args for the subscription's life; yoga's
                      // per-operation closures in rootValue are not needed past this point.
                      (a as { rootValue?: unknown }).rootValue = undefined;
                      return shared({ ...a }, socket, id);
                    }
                  : enveloped.subscribe,
            },
          };
          return args;
        } catch (error) {
          return [refuse(error)];
        }
      },
    },
    wss,
  );
  return wss;
}
