import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import { createAuthenticator } from './auth/authenticate.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetrics, METRICS_PATH, serveMetrics } from './metrics.js';
import { limitBody } from './server/body-limit.js';
import { HEALTH_PATH, READINESS_PATH, serveHealth } from './server/health.js';
import { createContextFactory } from './server/caller-context.js';
import { attachWebSocket, sharedWebSocket } from './server/websocket.js';
import { createFastPath } from './server/fast-http.js';
import { createPreparedOperations } from './server/prepared-operations.js';
import { createSharedSubscriptions } from './server/shared-subscriptions.js';
import { isConsolePath, serveConsole } from './server/console.js';
import { openSseStreams, useSharedSse } from './server/sse-subscriptions.js';
import { createYogaServer, GRAPHQL_PATH, maskAndLog } from './server/yoga.js';
import { schema } from './schema/index.js';
import { createState, type StateRuntime } from './state/create-state.js';
import { startMaintenance } from './state/maintenance.js';

export { GRAPHQL_PATH };

/** How long stop() waits for in-flight requests before cutting connections. */
const DRAIN_MS = 8_000;

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
  /** Answer prepared JSON POSTs without yoga's Fetch layer (src/server/fast-http.ts). @default true */
  fastPath?: boolean;
  /** Run queries and mutations seen before without yoga's per-operation pipeline (src/server/prepared-operations.ts). @default true */
  preparedOperations?: boolean;
  /** Run Server-Sent Events subscriptions on the shared per-event execution (src/server/sse-subscriptions.ts) instead of yoga's own. @default true */
  sharedSse?: boolean;
  /** More yoga plugins; they run on every call of every transport (the prepared and shared paths turn off). */
  plugins?: Plugin[];
}

/** Builds the server: GraphQL over HTTP and SSE (yoga) and graphql-ws, all on one port. */
export async function buildApp(
  config: Config,
  { clock = systemClock, logger = silentLogger, fastPath = true, preparedOperations = true, sharedSse = true, plugins = [] }: AppOptions = {},
): Promise<App> {
  const metrics = createMetrics();
  const state = await createState(config, clock, logger, { ...metrics.bus, instrumentEngine: metrics.instrumentEngine });
  state.service = metrics.instrumentService(state.service, schema);
  metrics.watch(state.bus);
  const authenticate = createAuthenticator(config.auth);
  if (!config.auth.enabled) {
    logger.warn('auth is off: no SERVICE_TOKENS or JWT settings, so every caller has full access (development only)', {
      host: config.host,
      note: config.host === '127.0.0.1' ? 'listening on 127.0.0.1 only; set HOST to listen elsewhere' : 'HOST makes this open server reachable from other machines',
    });
  }
  const context = createContextFactory(authenticate, state, config.limits, clock);
  const mask = maskAndLog(logger, config.production);
  // One shared execution for both transports: an event is executed once per operation, whichever socket it goes to.
  const shared = createSharedSubscriptions(mask);
  const slowConsumers = { maxBufferedBytes: config.subscriptionMaxBufferedBytes, maxLagMs: config.subscriptionMaxLagMs };
  const prepared = preparedOperations ? createPreparedOperations(context, mask) : null;
  const sharedWs = sharedWebSocket(shared);
  const yoga = createYogaServer(config, context, logger, {
    prepared,
    shared: [...(sharedSse ? [useSharedSse({ shared, limits: slowConsumers, onCut: () => metrics.slowReader('sse') })] : []), sharedWs.plugin],
    plugins,
  });
  const fast = fastPath && prepared ? createFastPath(yoga, prepared, mask) : null;
  const server = createServer(
    limitBody({ maxBytes: config.limits.maxBodyBytes, maxJsonDepth: config.limits.maxJsonDepth }, (req, res) => {
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (req.url === METRICS_PATH) return void serveMetrics(metrics, authenticate, req, res);
        if (isConsolePath(req.url)) return serveConsole(req, res);
        if (req.url === HEALTH_PATH || req.url === READINESS_PATH) return void serveHealth(state, req, res);
      }
      return fast ? fast(req, res, () => yoga(req, res)) : yoga(req, res);
    }),
  );
  const wss = attachWebSocket(server, yoga, {
    maxPayload: config.limits.wsMaxPayloadBytes,
    maxOperations: config.limits.maxSubscriptionsPerSocket,
    authenticate,
    logger,
    prepared,
    sharedWs,
    slowConsumers,
    onCut: () => metrics.slowReader('ws'),
    maxJsonDepth: config.limits.maxJsonDepth,
  });
  metrics.watchConnections({ ws: () => wss.clients.size, sse: openSseStreams });
  let stopMaintenance = () => {};

  return {
    state,
    server,
    start: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          stopMaintenance = startMaintenance(state.service, logger, { onPass: (result) => metrics.maintenancePass(result) });
          const bound = (server.address() as AddressInfo).port;
          const shownHost = host === '0.0.0.0' ? 'localhost' : host;
          resolve({ port: bound, url: `http://${shownHost}:${bound}${GRAPHQL_PATH}` });
        });
      }),
    async stop() {
      stopMaintenance();
      // Stop accepting; in-flight requests go on until they are answered.
      const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Subscriptions end, so Server-Sent Events responses complete.
      await state.bus.endAll();
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      await closed;
      clearInterval(idle);
      clearTimeout(deadline);
      await state.close();
    },
  };
}
