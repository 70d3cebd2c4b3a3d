import { afterEach } from 'vitest';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import { manualClock, type Clock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import { collect, until } from './collect.js';
import { targetOf, testConfig, uniquePrefix, type EngineName } from './engines.js';

export interface RunningServer {
  app: App;
  keyPrefix: string;
  url: string;
  wsUrl: string;
  base: string;
}

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * Starts servers and graphql-ws clients for one test file and tears every one
 * of them down after each test.
 */
export function useServers() {
  const apps: App[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.dispose();
    for (const app of apps.splice(0)) await app.stop();
  });

  async function start(
    engine: EngineName,
    overrides: Partial<Config> = {},
    clock: Clock = manualClock(Date.now()),
    appOptions: Omit<AppOptions, 'clock'> = {},
  ): Promise<RunningServer> {
    const config = testConfig({
      redis: targetOf(engine),
      keyPrefix: uniquePrefix(),
      host: '127.0.0.1',
      ...overrides,
    });
    const app = await buildApp(config, { clock, ...appOptions });
    apps.push(app);
    const { port } = await app.start(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    return { app, keyPrefix: config.keyPrefix, base, url: `${base}/graphql`, wsUrl: `ws://127.0.0.1:${port}/graphql` };
  }

  /** Two instances sharing one Redis (or one Cluster) and one key prefix: they must behave as one. */
  async function startPair(overrides: Partial<Config> = {}, engine: Exclude<EngineName, 'memory'> = 'redis') {
    const keyPrefix = uniquePrefix();
    return [await start(engine, { keyPrefix, ...overrides }), await start(engine, { keyPrefix, ...overrides })] as const;
  }

  function wsClient(server: RunningServer, connectionParams?: Record<string, unknown>): Client {
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams,
      onNonLazyError: () => {},
    });
    clients.push(client);
    return client;
  }

  /**
   * Subscribes over graphql-ws and resolves once the server holds the
   * subscription, so events caused afterwards cannot be missed.
   */
  async function subscribe<T = Record<string, any>>(
    server: RunningServer,
    client: Client,
    query: string,
    variables?: Record<string, unknown>,
  ) {
    const before = server.app.state.bus.activeSubscriptions();
    const events = collect<FormattedExecutionResult<T, unknown>>(client.iterate<T>({ query, variables }));
    await until(() => server.app.state.bus.activeSubscriptions() > before, 5_000, 'subscription to be active');
    return events;
  }

  return { start, startPair, wsClient, subscribe };
}

export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T> & { status: number }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as GraphQLResponse<T>) };
}

/** The first error code of a response, for terse assertions. */
export const codeOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;
