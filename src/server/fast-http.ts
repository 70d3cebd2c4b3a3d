import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { PreparedOperations } from './prepared-operations.js';
import { GRAPHQL_PATH, type YogaServer } from './yoga.js';

type Next = () => void;

/** Accept headers yoga answers as `application/json` (no graphql-response+json preference). */
const plainJson = (accept: string | undefined) =>
  !accept || accept === '*/*' || (/application\/json|\*\/\*/.test(accept) && !accept.includes('application/graphql-response+json'));

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}
const isPlain = (p: unknown): p is Params => {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
  const { query, variables, operationName, ...rest } = p as Record<string, unknown>;
  return (
    typeof query === 'string' &&
    (variables === undefined || variables === null || (typeof variables === 'object' && !Array.isArray(variables))) &&
    (operationName === undefined || operationName === null || typeof operationName === 'string') &&
    Object.keys(rest).every((k) => k === 'extensions')
  );
};

/**
 * yoga's answer for application/json: status is the highest non-spec
 * `http.status` an error asks for, else 200, with the headers errors ask for (Retry-After); `http` is not sent; the result's own serializer
 * (graphql-jit's, when it made one) writes it.
 */
function respond(res: ServerResponse, result: ExecutionResult & { stringify?: (r: unknown) => string }) {
  let status = 200;
  const headers: Record<string, string | number> = {};
  const errors = result.errors?.map((error) => {
    const { http, ...extensions } = (error.extensions ?? {}) as { http?: { status?: number; spec?: boolean; headers?: Record<string, string> } };
    // GraphQL-over-HTTP statuses (spec) are for graphql-response+json clients only.
    if (http?.status && !http.spec && http.status > status) status = http.status;
    Object.assign(headers, http?.headers);
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
    });
  });
  const sanitized = errors ? { ...result, errors } : result;
  const body = (result.stringify ?? JSON.stringify)(sanitized);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The one HTTP listener in front of yoga: a POST /graphql with a JSON body,
 * accepted as application/json, whose text is prepared (prepared-operations.ts)
 * is answered here, without yoga's Fetch-API request and response objects,
 * which cost most of the time of a small mutation. Everything else goes to
 * yoga whole: untouched when it is not such a POST, replayed with the body
 * read here when it is (a first call of a text, a parse error, a
 * subscription, a batch).
 *
 * Kept equal to yoga by hand, and compared by test/e2e/fast-path.test.ts:
 * which Accept headers yoga answers as application/json (`plainJson`), and
 * its status rule for that media type (`respond`).
 */
export function createFastPath(yoga: YogaServer, prepared: PreparedOperations, maskError: (error: unknown) => GraphQLError) {
  async function replay(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && name !== 'content-length') headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await yoga.fetch(`http://${req.headers.host ?? 'localhost'}${req.url}`, { method: 'POST', headers, body }, { req, res });
    const payload = Buffer.from(await response.arrayBuffer());
    if (res.headersSent) return;
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    let params: unknown;
    try {
      params = JSON.parse(body.toString('utf8'));
    } catch {
      return replay(req, res, body);
    }
    const ready = isPlain(params) && prepared.lookup(params.query, params.operationName);
    if (!ready) return replay(req, res, body);
    const result = await ready.run({ req }, (params as Params).variables);
    if (!res.headersSent) respond(res, result);
  }

  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    if (req.method !== 'POST' || req.url !== GRAPHQL_PATH) return next();
    if (!req.headers['content-type']?.startsWith('application/json') || !plainJson(req.headers.accept)) return next();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (res.headersSent || req.destroyed) return; // answered 413 by the body limit
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!res.headersSent) respond(res, { errors: [maskError(error)] });
      });
    });
  };
}
