import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StateRuntime } from '../state/create-state.js';

export const HEALTH_PATH = '/health';
export const READINESS_PATH = '/readiness';

const json = (res: ServerResponse, status: number, body: object) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
};

/**
 * `/health`: 200 while the process serves (liveness; it never asks Redis).
 * `/readiness`: 200 when the state store answers, else 503 (take the instance
 * out of the load balancer). Both say which engine runs and, with Redis,
 * whether it is reachable.
 */
export async function serveHealth(state: StateRuntime, req: IncomingMessage, res: ServerResponse) {
  if (req.url === HEALTH_PATH) return json(res, 200, { status: 'ok', engine: state.engine });
  const ready = await state.service.ready();
  const redis = state.engine !== 'memory' ? { redis: ready ? 'reachable' : 'unreachable' } : {};
  json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', engine: state.engine, ...redis });
}
