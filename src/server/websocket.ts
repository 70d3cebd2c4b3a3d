import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { Plugin } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { connectionAuthorization, type Authenticate } from '../auth/authenticate.js';
import { ErrorCode, maskError, StateError } from '../errors.js';
import { throttleLog, type Logger } from '../logger.js';
import { useGraphQLWs } from './graphql-ws-adapter.js';
import type { Context } from '../schema/builder.js';
import { schema } from '../schema/index.js';
import type { PreparedOperation, PreparedOperations } from './prepared-operations.js';
import { isStream, type PayloadSink, type SharedStream, type SharedSubscriptions } from './shared-subscriptions.js';
import { slowConsumerMessage, SlowConsumerGauge, type SlowConsumerLimits } from './slow-consumer.js';
import { attachRaw, CoalescingWebSocket } from './write-coalescing.js';
import { GRAPHQL_PATH, type YogaServer } from './yoga.js';

/** How graphql-ws runs the args onSubscribe returned: a prepared operation, or yoga's enveloped execute or subscribe. */
type Runner = (args: ExecutionArgs) => unknown;

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
 * idle subscribers pay nothing for what it adds: after each turn's frames
 * are flushed it judges whether its reader keeps up, and cuts off the
 * socket's subscriptions (each with RATE_LIMITED) when it does not.
 */
function serverSocketClass(limits: SlowConsumerLimits, onCut: () => void) {
  return class ServerSocket extends CoalescingWebSocket {
    private gauge: SlowConsumerGauge | undefined;
    /** The socket's shared subscriptions, cut off together when it does not keep up (made on first use). */
    subscriptions: Set<SocketSubscription> | undefined;

    override afterFlush() {
      if (!this.subscriptions?.size) return;
      const reason = (this.gauge ??= new SlowConsumerGauge(limits)).check(this.bufferedAmount);
      if (!reason) return;
      for (const subscription of [...this.subscriptions]) {
        onCut();
        subscription.cut(new StateError(ErrorCode.RATE_LIMITED, slowConsumerMessage(reason)));
      }
    }
  };
}
type ServerSocket = InstanceType<ReturnType<typeof serverSocketClass>>;

const DONE: IteratorResult<ExecutionResult> = Object.freeze({ value: undefined, done: true });

/**
 * A shared subscription as graphql-ws iterates it: the iterator yields
 * nothing itself (frames go straight to the socket) and settles when the
 * stream ends: done when its source ends or the client completes it,
 * rejected (graphql-ws then sends an `error` frame, never `complete`) when
 * it is cut off. A class: an idle subscription is one object, not a closure
 * per callback.
 */
class SocketSubscription implements PayloadSink, AsyncIterableIterator<ExecutionResult> {
  private readonly prefix: string;
  private stream: SharedStream | undefined;
  private settled = false;
  private resolve: (result: IteratorResult<ExecutionResult>) => void = () => {};
  private reject: (error: unknown) => void = () => {};
  private readonly ended = new Promise<IteratorResult<ExecutionResult>>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly socket: ServerSocket,
    id: string,
  ) {
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  /** Opens the shared stream; an ExecutionResult when the subscribe resolver refused. */
  async open(shared: SharedSubscriptions, args: ExecutionArgs): Promise<this | ExecutionResult> {
    const opened = await shared(args, this);
    if (!isStream(opened)) return opened;
    this.stream = opened;
    if (!this.settled) (this.socket.subscriptions ??= new Set()).add(this);
    return this;
  }

  /** The sink: one event's `next` frame. */
  send(json: string) {
    this.socket.send(this.prefix + json + '}');
  }

  /** The iterator graphql-ws reads: it settles when the stream ends. */
  next() {
    return this.ended;
  }

  end(error?: unknown) {
    this.settle(error);
  }

  /** Cut off: the error first, so stopping the source cannot turn it into a plain `complete`. */
  cut(error: StateError) {
    this.settle(error);
    this.stream?.stop();
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.settle();
    this.stream?.stop();
    return Promise.resolve(DONE);
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private settle(error?: unknown) {
    if (this.settled) return;
    this.settled = true;
    this.socket.subscriptions?.delete(this);
    if (error === undefined) this.resolve(DONE);
    else this.reject(error);
  }
}

/**
 * Subscriptions over graphql-ws on the shared execution, when yoga.ts's
 * decision lets it (every plugin honoured): the subscribe call goes
 * straight to the shared fan-out, after yoga's parse, validation and
 * context, and its frames go straight to the socket. Not through envelop's
 * subscribe, whose stream wrapping (error masking) would cost each idle
 * subscriber ~3 KB for work the fan-out does itself. The plugin only tells
 * whether yoga took it (envelop initializes the plugins it was given).
 */
export function sharedWebSocket(shared: SharedSubscriptions) {
  let on = false;
  const plugin: Plugin = {
    onPluginInit() {
      on = true;
    },
  };
  return { plugin, shared, isOn: () => on };
}
export type SharedWebSocket = ReturnType<typeof sharedWebSocket>;

export interface WebSocketOptions {
  /** Largest message; bigger ones close the socket with 1009. */
  maxPayload: number;
  /** Most operations in flight on one socket. */
  maxOperations: number;
  authenticate: Authenticate;
  logger: Logger;
  /** Queries and mutations seen before, run without yoga's per-operation pipeline. */
  prepared: PreparedOperations | null;
  /** Subscriptions on the shared fan-out, when it is on. */
  sharedWs: SharedWebSocket;
  slowConsumers: SlowConsumerLimits;
  /** A slow reader's subscription was cut off. */
  onCut: () => void;
  maxJsonDepth: number;
}

/**
 * graphql-ws on the HTTP server's port and path: the one WebSocket path.
 * graphql-ws (`makeServer`, graphql-ws-adapter.ts) owns the protocol; its
 * onSubscribe runs a prepared operation (prepared-operations.ts) or yoga's
 * envelop pipeline (parse, validate, context, execute or subscribe, with
 * every plugin); subscriptions then go to the shared fan-out when it is
 * on (sharedWebSocket), else to yoga's subscribe.
 */
export function attachWebSocket(server: Server, yoga: YogaServer, options: WebSocketOptions): WebSocketServer {
  const { maxPayload, maxOperations, authenticate, logger, prepared, sharedWs, slowConsumers, onCut, maxJsonDepth } = options;
  // What a refused operation answers; an unexpected failure is also logged.
  const refuse = (error: unknown) => {
    const masked = maskError(error);
    if (masked.extensions.code === ErrorCode.INTERNAL) logger.error('websocket subscribe failed', { error: String(error) });
    return masked;
  };
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload, WebSocket: serverSocketClass(slowConsumers, onCut) });
  attachRaw(wss);
  // graphql-ws hands execute/subscribe the very args onSubscribe returned.
  // Taken out once run: graphql-ws keeps the args for a subscription's life, and a runner holds yoga's per-operation objects.
  const runners = new WeakMap<ExecutionArgs, Runner>();
  const run = (args: ExecutionArgs) => {
    const runner = runners.get(args)!;
    runners.delete(args);
    return runner(args) as never;
  };

  /** A query or mutation yoga ran before: its compiled form, with this operation's own context. */
  async function preparedArgs(ready: PreparedOperation, connectionParams: Record<string, unknown>, params: SubscribePayload): Promise<ExecutionArgs> {
    const args: ExecutionArgs = {
      schema,
      document: ready.document,
      operationName: params.operationName ?? null,
      variableValues: params.variables ?? null,
      contextValue: await prepared!.createContext({ connectionParams }),
    };
    runners.set(args, (a) => ready.execute(a.contextValue as Context, a.variableValues as Record<string, unknown> | null));
    return args;
  }

  useGraphQLWs(
    {
      execute: run,
      subscribe: run,
      // A refused token closes the socket with 4403 before any operation runs.
      onConnect: async (ctx) => {
        try {
          await authenticate(connectionAuthorization(ctx.connectionParams));
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
          const connectionParams = ctx.connectionParams ?? {};
          const ready = prepared?.lookup(params.query, params.operationName);
          if (ready) return await preparedArgs(ready, connectionParams, params);
          const enveloped = yoga.getEnveloped({ ...ctx, connectionParams, req: ctx.extra.request, socket: ctx.extra.socket, params });
          let document;
          try {
            document = enveloped.parse(params.query);
          } catch (error) {
            return [withCode(error instanceof GraphQLError ? error : new GraphQLError('Syntax error'), ErrorCode.GRAPHQL_PARSE_FAILED)];
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors.map((e: GraphQLError) => withCode(e, ErrorCode.GRAPHQL_VALIDATION_FAILED));
          const operation = getOperationAST(document, params.operationName);
          if (!operation) {
            return [new GraphQLError('no operation to run: name one with operationName', { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
          }
          const args: ExecutionArgs = {
            schema: enveloped.schema,
            operationName: params.operationName ?? null,
            document,
            variableValues: params.variables ?? null,
            contextValue: await enveloped.contextFactory(),
          };
          const socket = ctx.extra.socket as ServerSocket;
          runners.set(
            args,
            operation.operation !== 'subscription'
              ? (a) => enveloped.execute(a)
              : sharedWs.isOn()
                ? (a) => new SocketSubscription(socket, id).open(sharedWs.shared, a)
                : (a) => enveloped.subscribe(a),
          );
          return args;
        } catch (error) {
          return [refuse(error)];
        }
      },
    },
    wss,
    { maxJsonDepth, log: throttleLog(logger) },
  );
  return wss;
}
