import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionResult } from 'graphql';
import { ErrorCode } from '../errors.js';
import type { PreparedOperations } from './prepared-operations.js';
import { GRAPHQL_PATH, type YogaServer } from './yoga.js';

type Next = () => void;

const withCode = (error: unknown, code: ErrorCode) => {
  const e = error instanceof GraphQLError ? error : new GraphQLError('Syntax error');
  return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { code, ...e.extensions } });
};

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
 * The hot path for services: POST /graphql with a JSON body, answered as
 * application/json, for a query or mutation that parses and validates. It
 * runs yoga's own envelop pipeline (the same plugins: caches, limits,
 * masking, JIT, our context) but not yoga's Fetch-API request and response
 * objects, which cost most of the time of a small mutation. Everything else,
 * errors before execution included, is replayed to yoga unchanged.
 */
export function createFastPath(yoga: YogaServer, maskError: (error: unknown) => GraphQLError, prepared: PreparedOperations | null = null) {
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
    if (!isPlain(params)) return replay(req, res, body);
    const ready = prepared?.lookup(params.query, params.operationName);
    if (ready) {
      const result = await ready.run({ req }, params.variables);
      if (!res.headersSent) respond(res, result);
      return;
    }
    const enveloped = yoga.getEnveloped({ req, res, params });
    let document;
    try {
      document = enveloped.parse(params.query);
    } catch (error) {
      // As yoga answers application/json: 200, the code the error has or GRAPHQL_PARSE_FAILED.
      return respond(res, { errors: [withCode(error, ErrorCode.GRAPHQL_PARSE_FAILED)] });
    }
    const invalid = enveloped.validate(enveloped.schema, document);
    if (invalid.length > 0) return respond(res, { errors: invalid.map((e: unknown) => withCode(e, ErrorCode.GRAPHQL_VALIDATION_FAILED)) });
    const operation = getOperationAST(document, params.operationName);
    if (!operation || operation.operation === 'subscription') return replay(req, res, body);
    prepared?.remember(params.query, params.operationName, document);
    let result: ExecutionResult;
    try {
      const contextValue = await enveloped.contextFactory();
      result = (await enveloped.execute({
        schema: enveloped.schema,
        document,
        variableValues: params.variables ?? null,
        operationName: params.operationName ?? null,
        contextValue,
      })) as ExecutionResult;
    } catch (error) {
      result = { errors: [maskError(error)] };
    }
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
