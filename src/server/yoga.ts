import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { callerName } from '../auth/caller.js';
import { createYoga, useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { ErrorCode, maskError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Context } from '../schema/builder.js';
import { schema } from '../schema/index.js';
import type { StateRuntime } from '../state/create-state.js';
import type { InitialContext } from './caller-context.js';
import { releaseScopeCacheAfterExecute } from './scope-cache.js';

export const GRAPHQL_PATH = '/graphql';

/**
 * yoga parses GET `variables`/`extensions` with a bare JSON.parse, so bad JSON
 * there would surface as INTERNAL; answer it as the caller's mistake instead.
 */
const checkGetParams: Plugin = {
  onRequest({ request, url, endResponse, fetchAPI }) {
    if (request.method !== 'GET') return;
    for (const name of ['variables', 'extensions']) {
      const raw = url.searchParams.get(name);
      if (raw === null) continue;
      let valid = false;
      try {
        const parsed: unknown = JSON.parse(raw);
        valid = parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed));
      } catch {
        valid = false;
      }
      if (!valid) {
        const body = { errors: [{ message: `${name} must be a JSON object`, extensions: { code: ErrorCode.BAD_USER_INPUT } }] };
        endResponse(new fetchAPI.Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } }));
        return;
      }
    }
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

/** maskError, logging what it hides. */
export const maskAndLog = (logger: Logger) => (error: unknown) => {
  const masked = maskError(error);
  if (masked.extensions.code === ErrorCode.INTERNAL) {
    const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    logger.error('unexpected error', { error: String(cause), stack: cause instanceof Error ? cause.stack : undefined });
  }
  return masked;
};

export function createYogaServer(
  config: Config,
  state: StateRuntime,
  context: (initial: InitialContext) => Promise<Context>,
  logger: Logger,
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
    // Field suggestions reveal the schema when introspection is off.
    blockFieldSuggestion: { enabled: config.production },
  });

  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.production ? false : { subscriptionsProtocol: 'WS', title: 'state-server' },
    maskedErrors: { maskError: maskAndLog(logger) },
    context: (initial) => context(initial as InitialContext),
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      error: (...args) => logger.error(String(args[0])),
    },
    plugins: [
      checkGetParams,
      // Per-operation work for a debug line: only when that line is written.
      ...(config.logLevel === 'debug' ? [operationLog(logger)] : []),
      // Queries and mutations run compiled (graphql-jit, cached per document):
      // connectionStates of 1,000 users is 5,000 fields. Subscriptions keep
      // graphql-js, whose per-event resolve the fan-out shares.
      useGraphQlJit({}, { enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation !== 'subscription' }),
      ...armor.protect().plugins,
      ...(config.production ? [noIntrospection] : []),
      releaseScopeCacheAfterExecute,
      useReadinessCheck({ endpoint: '/readiness', check: () => state.service.ready() }),
    ],
  });
}

export type YogaServer = ReturnType<typeof createYogaServer>;
