import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { createYoga, useReadinessCheck } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { ErrorCode, maskError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { Context } from './schema/builder.js';
import { schema } from './schema/index.js';
import { createState, type StateRuntime } from './state/create-state.js';
import { startDayCloser } from './study/day-closer.js';

export const GRAPHQL_PATH = '/graphql';

export interface App {
  /** Listens on `port` (0 picks a free one); resolves with the bound port. */
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Closes sockets (1001), the WebSocket server, the HTTP server and Redis clients. */
  stop(): Promise<void>;
  readonly state: StateRuntime;
  readonly server: Server;
}

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
}

type EnvelopedArgs = ExecutionArgs & {
  rootValue: { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
};

const withCode = (error: GraphQLError, code: ErrorCode) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });

/** Builds the server: GraphQL over HTTP and SSE (yoga) and graphql-ws, all on one port. */
export async function buildApp(config: Config, { clock = systemClock, logger = silentLogger }: AppOptions = {}): Promise<App> {
  const state = await createState(config, clock, logger);

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: { subscriptionsProtocol: 'WS', title: 'state-server' },
    maskedErrors: {
      maskError: (error) => {
        const masked = maskError(error);
        if (masked.extensions.code === ErrorCode.INTERNAL) {
          const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
          logger.error('unexpected error', { error: String(cause), stack: cause instanceof Error ? cause.stack : undefined });
        }
        return masked;
      },
    },
    context: (): Context => ({ state: state.service }),
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      error: (...args) => logger.error(String(args[0])),
    },
    plugins: [useReadinessCheck({ endpoint: '/readiness', check: () => state.service.ready() })],
  });

  const server = createServer(yoga);
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH });

  useServer<Record<string, unknown> | undefined>(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      // A bad operation must fail alone: returning errors (never throwing)
      // keeps graphql-ws from closing the socket and its other subscriptions.
      onSubscribe: async (ctx, _id, params) => {
        try {
          const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params });
          let document;
          try {
            document = enveloped.parse(params.query);
          } catch (error) {
            return [withCode(error instanceof GraphQLError ? error : new GraphQLError('Syntax error'), ErrorCode.GRAPHQL_PARSE_FAILED)];
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors.map((e: GraphQLError) => withCode(e, ErrorCode.GRAPHQL_VALIDATION_FAILED));
          const args: EnvelopedArgs = {
            schema: enveloped.schema,
            operationName: params.operationName ?? null,
            document,
            variableValues: params.variables ?? null,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          };
          return args;
        } catch (error) {
          logger.error('websocket subscribe failed', { error: String(error) });
          return [maskError(error)];
        }
      },
    },
    wss,
  );

  let stopDayCloser = () => {};

  return {
    state,
    server,
    start: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          stopDayCloser = startDayCloser(state.service, logger);
          const bound = (server.address() as AddressInfo).port;
          const shownHost = host === '0.0.0.0' ? 'localhost' : host;
          resolve({ port: bound, url: `http://${shownHost}:${bound}${GRAPHQL_PATH}` });
        });
      }),
    async stop() {
      stopDayCloser();
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Open SSE streams never go idle; end them too.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      await state.close();
    },
  };
}
