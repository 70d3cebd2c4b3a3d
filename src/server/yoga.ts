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
import { unhonoured, type PreparedOperations } from './prepared-operations.js';
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

export interface YogaPlugins {
  /** The registry for the prepared paths; fed only when every plugin below is honoured there. */
  prepared: PreparedOperations | null;
  /** Subscriptions on the shared per-event execution: sse-subscriptions.ts, websocket.ts. */
  shared: Plugin[];
  /** Plugins of the embedder (or a test): unknown here, so the prepared and shared paths turn off and these run on every call. */
  plugins?: Plugin[];
}

/** One operation in the document: graphql-jit's cache is by document, blind to operationName. */
const singleOperation = (document: { definitions: readonly { kind: string }[] }) =>
  document.definitions.filter((d) => d.kind === 'OperationDefinition').length === 1;

/** yoga for HTTP and SSE; /health, /readiness and /metrics are answered before it (app.ts). */
export function createYogaServer(
  config: Config,
  context: (initial: InitialContext) => Promise<Context>,
  logger: Logger,
  { prepared, shared, plugins: extra = [] }: YogaPlugins,
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
  }).protect().plugins;
  // Queries and mutations run compiled (graphql-jit, cached per document,
  // shared with the prepared paths): connectionStates of 1,000 users is
  // 5,000 fields. Subscriptions keep graphql-js, whose per-event resolve the
  // fan-out shares.
  const jit = useGraphQlJit(
    {},
    {
      enableIf: (args) => singleOperation(args.document) && getOperationAST(args.document, args.operationName)?.operation !== 'subscription',
      cache: prepared?.jitCache,
    },
  );
  const production = config.production ? [noIntrospection, noSuggestions] : [];

  // Why the prepared paths need no yoga run for each of these (prepared-operations.ts).
  const honoured = new Map<unknown, string>([
    [checkGetParams(limits.maxJsonDepth), 'GET only; prepared calls are POSTs'],
    [explainRefusals, '415 and 406 only; a prepared call is a JSON POST that accepts JSON'],
    [releaseRefusedStreams, 'streams only; subscriptions are never prepared'],
    [jit, 'the prepared call runs the compiled query from the same cache'],
    ...armor.map((p) => [p, 'limits of the text, passed when yoga ran it'] as const),
    ...production.map((p) => [p, 'validation of the text, passed when yoga ran it'] as const),
    [releaseScopeCacheAfterExecute, 'the prepared call releases the scope cache itself'],
  ]);
  const plugins = [
    ...(honoured.keys() as Iterable<Plugin>),
    // Per-operation work for a debug line: only when that line is written.
    ...(config.logLevel === 'debug' ? [operationLog(logger) as Plugin] : []),
    ...extra,
  ];
  // One decision for every transport: with a plugin whose per-operation work
  // the fast paths would skip, every call runs through yoga whole (and each
  // subscriber's events are executed for it, so per-event hooks run too).
  const skipped = unhonoured(plugins, honoured);
  if (skipped.length === 0) plugins.push(...shared, ...(prepared ? [prepared.plugin] : []));
  else logger.info('prepared operations and shared subscriptions are off: a plugin does per-operation work they would skip', { plugins: skipped.length });

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
    plugins,
  });
}

export type YogaServer = ReturnType<typeof createYogaServer>;
