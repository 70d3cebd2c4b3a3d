import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Authenticate } from './auth/authenticate.js';
import { ErrorCode, isExposedError } from './errors.js';
import type { StateBus } from './state/topics.js';

export const METRICS_PATH = '/metrics';

/**
 * Prometheus metrics of one instance. For now what the delivery safety nets
 * do (what was shed, how far delivery is behind) and the process's own;
 * labels never carry ids.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
