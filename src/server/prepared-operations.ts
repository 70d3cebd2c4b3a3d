import type { DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { releaseScopeCache } from './scope-cache.js';
import type { Context } from '../schema/builder.js';
import type { InitialContext } from './caller-context.js';

export type PreparedResult = ExecutionResult & { stringify: (result: unknown) => string };

type Variables = Record<string, unknown> | null | undefined;

export interface PreparedOperation {
  /** The document yoga validated for this text. */
  document: DocumentNode;
  /** Runs the compiled operation with this context; its errors come back masked. */
  execute(context: Context, variables: Variables): Promise<PreparedResult>;
  /** The context (token, rate limit), then execute; a refused context is the result's only error. */
  run(initial: InitialContext, variables: Variables): Promise<PreparedResult>;
}

export interface PreparedOperations {
  /** The server's context factory, as yoga calls it. */
  createContext(initial: InitialContext): Promise<Context>;
  /** The prepared operation for this text and operation name, once one ran through yoga. */
  lookup(query: string, operationName: string | null | undefined): PreparedOperation | undefined;
  /** Keeps a query or mutation that yoga parsed and validated, compiled for the next call. */
  remember(query: string, operationName: string | null | undefined, document: DocumentNode): void;
}

/**
 * Queries and mutations by their text. The first calls of a text go through
 * yoga's whole envelop pipeline; once it parsed and validated twice, later calls
 * with the same text and operation name skip the pipeline's per-request
 * objects (getEnveloped, the parse and validation cache lookups, the hooks
 * around execute), which allocate most of a small mutation's garbage. What
 * they keep is all that varies per call: the context, from the same
 * factory (token, rate limit), the compiled query (graphql-jit, as yoga runs
 * it) with these variables, and the same error masking.
 *
 * That is exact because every other plugin's per-request work depends on the
 * text alone (graphql-armor's limits, the introspection rule) or is off
 * (the per-operation debug log: the server does not prepare at debug level).
 */
export function createPreparedOperations(
  schema: GraphQLSchema,
  createContext: (initial: InitialContext) => Promise<Context>,
  maskError: (error: unknown) => GraphQLError,
  maxEntries = 1_000,
): PreparedOperations {
  const prepared = new Map<string, PreparedOperation>();
  // A text is compiled here on its second full run: a stream of one-off
  // texts then costs no second compilation (yoga's JIT plugin compiles too).
  const seen = new Set<string>();
  const keyOf = (query: string, operationName: string | null | undefined) => `${operationName ?? ''}\n${query}`;

  // The result is this call's own object (graphql-jit builds one per call),
  // so it is completed in place, as yoga's JIT plugin does.
  const masked = (result: ExecutionResult, stringify: PreparedResult['stringify']): PreparedResult => {
    if (result.errors) (result as { errors: GraphQLError[] }).errors = result.errors.map(maskError);
    return Object.assign(result, { stringify });
  };

  function prepare(document: DocumentNode, compiled: CompiledQuery): PreparedOperation {
    const execute = async (context: Context, variables: Variables) => {
      try {
        return masked(await compiled.query(undefined, context, variables ?? null), compiled.stringify);
      } catch (error) {
        return masked({ errors: [error as GraphQLError] }, compiled.stringify);
      } finally {
        releaseScopeCache(context);
      }
    };
    return {
      document,
      execute,
      async run(initial, variables) {
        let context: Context;
        try {
          context = await createContext(initial);
        } catch (error) {
          return masked({ errors: [error as GraphQLError] }, JSON.stringify);
        }
        return execute(context, variables);
      },
    };
  }

  return {
    createContext,
    lookup: (query, operationName) => prepared.get(keyOf(query, operationName)),
    remember(query, operationName, document) {
      const key = keyOf(query, operationName);
      if (prepared.has(key)) return;
      if (!seen.has(key)) {
        if (seen.size >= maxEntries) seen.clear();
        seen.add(key);
        return;
      }
      seen.delete(key);
      // Oldest out first: texts are few (clients send the same operations), so this rarely runs.
      if (prepared.size >= maxEntries) prepared.delete(prepared.keys().next().value!);
      const compiled = compileQuery(schema, document, operationName ?? undefined);
      if (isCompiledQuery(compiled)) prepared.set(key, prepare(document, compiled));
    },
  };
}
