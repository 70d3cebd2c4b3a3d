import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Authenticate } from './auth/authenticate.js';
import { ErrorCode, isExposedError } from './errors.js';
import type { StateEngine } from './state/engine.js';
import type { EngineName } from './state/create-state.js';
import type { StateService } from './state/service.js';
import type { StateBus } from './state/topics.js';

export const METRICS_PATH = '/metrics';

type Kind = 'query' | 'mutation' | 'subscription';

/**
 * The GraphQL kind of each root field: the state service's operations carry
 * the names of the fields that call them, so the schema says which are
 * queries, mutations and subscriptions; the rest (maintenance, readiness) are internal.
 */
function kindsOf(schema: GraphQLSchema): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  for (const [kind, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', schema.getSubscriptionType()]] as const) {
    for (const name of Object.keys(type?.getFields() ?? {})) kinds.set(name, kind);
  }
  return kinds;
}

/** The stable code of a failure, as clients see it; anything else is INTERNAL. */
const outcomeOf = (error: unknown) => (isExposedError(error) ? String(error.extensions.code ?? ErrorCode.INTERNAL) : ErrorCode.INTERNAL);

/** Records one call: its duration in seconds and its outcome (`ok` or an error code). */
type Observe = (seconds: number, outcome: string) => void;

/**
 * Wraps every method of `target` so each call is timed and counted with its
 * outcome. Label values come from our own method names and error codes only,
 * so cardinality is fixed by the code, never by callers. `observerOf` is
 * asked once per method (null: leave it unwrapped), so label children are
 * resolved once, not on every call.
 */
function timed<T extends object>(target: T, observerOf: (method: string) => Observe | null): T {
  const out = { ...target } as Record<string, unknown>;
  for (const [method, fn] of Object.entries(target)) {
    const observe = typeof fn === 'function' ? observerOf(method) : null;
    if (!observe) continue;
    const call = fn as (...a: unknown[]) => Promise<unknown>;
    out[method] = (...args: unknown[]) => {
      const began = performance.now();
      return call.apply(target, args).then(
        (result) => {
          observe((performance.now() - began) / 1000, 'ok');
          return result;
        },
        (error: unknown) => {
          observe((performance.now() - began) / 1000, outcomeOf(error));
          throw error;
        },
      );
    };
  }
  return out as T;
}

/** Label children by key, made on first use: a hot path then only adds to a number. */
function children<C>(make: (key: string) => C): (key: string) => C {
  const made = new Map<string, C>();
  return (key) => {
    let child = made.get(key);
    if (child === undefined) made.set(key, (child = make(key)));
    return child;
  };
}

/**
 * Prometheus metrics of one instance: operations (by state service
 * operation, kind and outcome code) and their durations, state store calls
 * (Redis latency and errors), subscriptions and connections by transport,
 * events received, delivered and cut off, maintenance, and the process's
 * own. Labels never carry ids or operation texts.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const operations = new Counter({
    name: 'state_server_operations_total',
    help: 'State operations by operation (the schema root field), kind and outcome (ok or the error code answered)',
    labelNames: ['operation', 'kind', 'outcome'] as const,
    registers,
  });
  const operationSeconds = new Histogram({
    name: 'state_server_operation_duration_seconds',
    help: 'Time from validated input to answer of a state operation (for a subscription: until it is subscribed)',
    labelNames: ['operation', 'kind'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const storeSeconds = new Histogram({
    name: 'state_server_store_call_duration_seconds',
    help: 'One call of the state engine (on Redis: its script or pipeline round trips)',
    labelNames: ['method', 'engine'] as const,
    buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const storeErrors = new Counter({
    name: 'state_server_store_errors_total',
    help: 'Failed state engine calls by method and code (STATE_UNAVAILABLE: Redis away or too slow)',
    labelNames: ['method', 'engine', 'code'] as const,
    registers,
  });
  const received = new Counter({
    name: 'state_server_events_received_total',
    help: 'Events this instance received from pub/sub (once per channel, however many subscribers)',
    registers,
  });
  const maintenance = new Counter({
    name: 'state_server_maintenance_runs_total',
    help: 'Maintenance passes by outcome (ok, failed)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const reaped = new Counter({
    name: 'state_server_sessions_reaped_total',
    help: 'Sessions closed by maintenance: of lapsed gateway nodes, or over SESSION_MAX_AGE_SECONDS',
    registers,
  });
  const offline = new Counter({
    name: 'state_server_held_offline_sent_total',
    help: 'OFFLINE transitions sent by maintenance once PRESENCE_GRACE_MS had passed',
    registers,
  });
  const daysClosed = new Counter({
    name: 'state_server_study_days_closed_total',
    help: 'Study days this instance closed (one instance closes each day)',
    registers,
  });
  let connections: Partial<Record<'ws' | 'sse', () => number>> = {};
  new Gauge({
    name: 'state_server_connections',
    help: 'Open WebSocket connections and Server-Sent Events streams of this instance',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      for (const [transport, count] of Object.entries(connections)) this.set({ transport }, count());
    },
  });
  const cut = new Counter({
    name: 'state_server_subscriptions_cut_total',
    help: 'Subscriptions ended with RATE_LIMITED: overload (the instance could not deliver in time) or slow_reader (the client did not read its socket)',
    labelNames: ['reason', 'transport'] as const,
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'state_server_events_delivered_total',
    help: 'Events handed to subscriptions',
    registers: [registry],
  });
  let bus: StateBus | undefined;
  new Gauge({
    name: 'state_server_delivery_lag_seconds',
    help: 'How long the oldest event still being delivered has waited (0 when delivery keeps up)',
    registers: [registry],
    collect() {
      this.set((bus?.deliveryLagMs() ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'state_server_subscriptions',
    help: 'Live subscriptions of this instance, on every transport',
    registers: [registry],
    collect() {
      this.set(bus?.activeSubscriptions() ?? 0);
    },
  });

  return {
    registry,
    /** Hooks for the event bus. */
    bus: {
      onShed: (count: number) => cut.inc({ reason: 'overload', transport: 'any' }, count),
      onDelivered: (count: number) => delivered.inc(count),
      onReceived: () => received.inc(),
    },
    /** Counts and times every operation of the state service that a root field of `schema` calls. */
    instrumentService: (service: StateService, schema: GraphQLSchema): StateService => {
      const kinds = kindsOf(schema);
      return timed(service, (operation) => {
        const kind = kinds.get(operation);
        if (!kind) return null;
        const duration = operationSeconds.labels({ operation, kind });
        const count = children((outcome) => operations.labels({ operation, kind, outcome }));
        return (seconds, outcome) => {
          duration.observe(seconds);
          count(outcome).inc();
        };
      });
    },
    /** Times every call of the state engine and counts its failures. */
    instrumentEngine: (engine: StateEngine, name: EngineName): StateEngine =>
      timed(engine, (method) => {
        const duration = storeSeconds.labels({ method, engine: name });
        const errors = children((code) => storeErrors.labels({ method, engine: name, code }));
        return (seconds, outcome) => {
          duration.observe(seconds);
          if (outcome !== 'ok') errors(outcome).inc();
        };
      }),
    /** One maintenance pass ended (`result` null when it failed). */
    maintenancePass(result: { closed: number; offline: number; days: unknown[] } | null) {
      maintenance.inc({ outcome: result ? 'ok' : 'failed' });
      if (!result) return;
      reaped.inc(result.closed);
      offline.inc(result.offline);
      daysClosed.inc(result.days.length);
    },
    /** Where the connection counts come from. */
    watchConnections(counts: typeof connections) {
      connections = counts;
    },
    /** A slow reader's subscription was cut off. */
    slowReader: (transport: 'ws' | 'sse') => cut.inc({ reason: 'slow_reader', transport }),
    watch(eventBus: StateBus) {
      bus = eventBus;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** GET /metrics; with auth on, for service tokens only. */
export async function serveMetrics(metrics: Metrics, authenticate: Authenticate, req: IncomingMessage, res: ServerResponse) {
  try {
    const caller = await authenticate(req.headers.authorization);
    if (caller.kind === 'user') {
      res.writeHead(403, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ errors: [{ message: 'metrics are for service tokens', extensions: { code: ErrorCode.FORBIDDEN } }] }));
    }
  } catch (error) {
    const message = isExposedError(error) ? error.message : 'invalid token';
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] }));
  }
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType });
  res.end(text);
}
