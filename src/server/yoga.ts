import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { callerName } from '../auth/caller.js';
import { createYoga, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { ErrorCode, maskError, withoutSuggestions } from '../errors.js';
import { jsonDepthExceeds, tooDeepMessage } from '../json-depth.js';
import type { Logger } from '../logger.js';
import type { Context } from '../schema/builder.js';
import { schema } from '../schema/index.js';
import type { InitialContext } from './caller-context.js';
import { graphiqlOptions, renderGraphiQLOnce } from './graphiql.js';
import { releaseScopeCacheAfterExecute } from './scope-cache.js';

export const GRAPHQL_PATH = '/graphql';

/**
 * yoga parses GET `variables`/`extensions` with a bare JSON.parse, so bad JSON
 * there would surface as INTERNAL; answer it as the caller's mistake instead.
 */
const checkGetParams = (maxJsonDepth: number): Plugin => ({
  onRequest({ request, url, endResponse, fetchAPI }) {
    if (request.method !== 'GET') return;
    for (const name of ['variables', 'extensions']) {
      const raw = url.searchParams.get(name);
      if (raw === null) continue;
      let valid = false;
      if (jsonDepthExceeds(raw, maxJsonDepth)) {
        endResponse(badRequest(fetchAPI, 400, `${name}: ${tooDeepMessage(maxJsonDepth)}`));
        return;
      }
      try {
        const parsed: unknown = JSON.parse(raw);
        valid = parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed));
      } catch {
        valid = false;
      }
      if (!valid) {
        endResponse(badRequest(fetchAPI, 400, `${name} must be a JSON object`));
        return;
      }
    }
  },
});

const badRequest = (fetchAPI: { Response: typeof Response }, status: number, message: string, headers: Record<string, string> = {}) =>
  new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] }), {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
  });

/**
 * yoga answers a body it cannot read (415) and an Accept it cannot serve
 * (406) with no body at all; every other client error here is a JSON body
 * with a code, so these get one too.
 */
const explainRefusals: Plugin = {
  onResponse({ response, setResponse, fetchAPI }) {
    if ((response.status !== 415 && response.status !== 406) || response.headers.get('content-type')) return;
    const headers = Object.fromEntries(response.headers);
    setResponse(
      response.status === 415
        ? badRequest(fetchAPI, 415, 'unsupported Content-Type: send a POST with application/json, or a GET with query parameters', headers)
        : badRequest(
            fetchAPI,
            406,
            'no acceptable response type: a subscription over HTTP needs Accept: text/event-stream (or use graphql-ws); other operations answer application/json or application/graphql-response+json',
            headers,
          ),
    );
  },
};

/**
 * yoga runs a subscription before it finds that the request accepts no
 * stream (406): the subscription would stay open with no one to read it.
 * Runs after yoga's own result processors, so it sees their choice.
 */
const releaseRefusedStreams: Plugin = {
  onResultProcess({ result, resultProcessor }) {
    if (!resultProcessor && isAsyncIterable(result)) void (result as AsyncIterableIterator<unknown>).return?.();
  },
};

/** graphql-armor's suggestion blocker misses enum values ("Did you mean the enum value …?"); this hides every hint. */
const noSuggestions: Plugin = {
  onValidate: () => ({ valid, result, setResult }) => {
    if (valid) return;
    setResult(result.map((error) => Object.assign(error, { message: withoutSuggestions(error.message) })));
  },
};

/** One debug line per operation, naming the caller (never its token). */
const operationLog = (logger: Logger): Plugin<Context> => ({
  onExecute({ args }) {
    const started = performance.now();
    const operation = getOperationAST(args.document, args.operationName);
    const entry = () => ({
      caller: callerName(args.contextValue.caller),
      operation: operation?.name?.value ?? operation?.operation ?? 'unknown',
    });
    return {
      onExecuteDone: () => logger.debug('operation', { ...entry(), ms: Math.round(performance.now() - started) }),
    };
  },
  onSubscribe({ args }) {
    logger.debug('subscription', {
      caller: callerName(args.contextValue.caller),
      operation: args.operationName ?? 'subscription',
    });
  },
});

/** Turns off introspection; WebSocket operations validate through the same plugins. */
const noIntrospection: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
};

/** maskError, logging what it hides; in production without "Did you mean" hints (variable values name enum values). */
export const maskAndLog = (logger: Logger, production = false) => (error: unknown) => {
  const masked = maskError(error);
  if (production && masked.message.includes('Did you mean')) masked.message = withoutSuggestions(masked.message);
  if (masked.extensions.code === ErrorCode.INTERNAL) {
    const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    logger.error('unexpected error', { error: String(cause), stack: cause instanceof Error ? cause.stack : undefined });
  }
  return masked;
};

/** yoga for HTTP and SSE; /health, /readiness and /metrics are answered before it (app.ts). */
export function createYogaServer(
  config: Config,
  context: (initial: InitialContext) => Promise<Context>,
  logger: Logger,
  extraPlugins: Plugin[] = [],
) {
  const { limits } = config;
  // A document over a limit is the caller's input: BAD_USER_INPUT on every transport.
  const limit = { onReject: [(_ctx: unknown, error: GraphQLError) => Object.assign(error.extensions, { code: ErrorCode.BAD_USER_INPUT })] };
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ...limit },
    maxAliases: { n: limits.maxAliases, ...limit },
    costLimit: { maxCost: limits.maxCost, ...limit },
    maxTokens: { n: limits.maxTokens, ...limit },
    maxDirectives: { n: 20, ...limit },
    // Field suggestions reveal the schema when introspection is off: noSuggestions hides them all.
    blockFieldSuggestion: { enabled: false },
  });

  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: config.production ? false : graphiqlOptions,
    // GraphiQL from the package, assets inlined: it works in a private network with no CDN.
    renderGraphiQL: renderGraphiQLOnce,
    maskedErrors: { maskError: maskAndLog(logger, config.production) },
    context: (initial) => context(initial as InitialContext),
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      // yoga logs the GraphQL errors it answers (a GET without a query, a bad body): the caller's mistakes, not ours.
      error: (...args) => (args[0] instanceof GraphQLError ? logger.debug(args[0].message) : logger.error(String(args[0]))),
    },
    plugins: [
      checkGetParams(limits.maxJsonDepth),
      explainRefusals,
      releaseRefusedStreams,
      // Per-operation work for a debug line: only when that line is written.
      ...(config.logLevel === 'debug' ? [operationLog(logger)] : []),
      // Queries and mutations run compiled (graphql-jit, cached per document):
      // connectionStates of 1,000 users is 5,000 fields. Subscriptions keep
      // graphql-js, whose per-event resolve the fan-out shares.
      useGraphQlJit({}, { enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation !== 'subscription' }),
      ...armor.protect().plugins,
      ...(config.production ? [noIntrospection, noSuggestions] : []),
      releaseScopeCacheAfterExecute,
      ...extraPlugins,
    ],
  });
}

export type YogaServer = ReturnType<typeof createYogaServer>;
