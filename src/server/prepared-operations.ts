import type { DocumentNode, ExecutionResult, GraphQLError } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { releaseScopeCache } from './scope-cache.js';
import type { Context } from '../schema/builder.js';
import type { InitialContext } from './caller-context.js';

/**
 * The prepared-operation registry: queries and mutations by their text,
 * run without yoga's per-request pipeline once yoga ran them whole.
 *
 * It is fed by one yoga plugin (`plugin`), after yoga parsed, validated and
 * executed the text with every plugin, and it shares graphql-jit's cache
 * with useGraphQlJit (`jitCache`): a document is compiled once. What a
 * prepared call keeps is all that varies per call: the context from the
 * same factory (token, rate limit), the compiled query with these
 * variables, the same error masking. That is exact only when every other
 * plugin's per-request work depends on the text alone, or is done here
 * too: `unhonoured` decides it, and yoga.ts adds `plugin` only when it
 * finds none. The transports (fast-http.ts, websocket.ts) only look up.
 */

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

/** useGraphQlJit's `cache` option: compiled queries by document text. */
export interface JitCache {
  get(source: string): CompiledQuery | undefined;
  set(source: string, compiled: CompiledQuery): void;
}

export interface PreparedOperations {
  /** The server's context factory, as yoga calls it. */
  createContext(initial: InitialContext): Promise<Context>;
  /** The prepared operation for this text and operation name, once yoga ran it. */
  lookup(query: string, operationName: string | null | undefined): PreparedOperation | undefined;
  /** Prepares a text whose document the JIT cache holds compiled (what `plugin` does after a run). */
  remember(query: string, operationName: string | null | undefined, document: DocumentNode): void;
  readonly jitCache: JitCache;
  /** Feeds the registry from yoga's own runs. */
  readonly plugin: Plugin;
}

/** Plugins whose per-request work the prepared path would skip without doing it: any one turns preparing off. */
export const unhonoured = (plugins: readonly unknown[], honoured: ReadonlyMap<unknown, string>) => plugins.filter((p) => !honoured.has(p));

/** A bounded map that forgets its oldest entry first: texts are few (clients send the same operations). */
function bounded<V>(maxEntries: number) {
  const map = new Map<string, V>();
  return {
    get: (key: string) => map.get(key),
    has: (key: string) => map.has(key),
    set(key: string, value: V) {
      if (map.size >= maxEntries && !map.has(key)) map.delete(map.keys().next().value!);
      map.set(key, value);
    },
  };
}

export function createPreparedOperations(
  createContext: (initial: InitialContext) => Promise<Context>,
  maskError: (error: unknown) => GraphQLError,
  maxEntries = 1_000,
): PreparedOperations {
  const prepared = bounded<PreparedOperation>(maxEntries);
  const compiledByText = bounded<CompiledQuery>(maxEntries);
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

  function remember(query: string, operationName: string | null | undefined, document: DocumentNode) {
    const key = keyOf(query, operationName);
    if (prepared.has(key)) return;
    // Not compiled (a subscription, a document useGraphQlJit leaves to graphql-js): not prepared.
    const compiled = compiledByText.get(query);
    if (compiled) prepared.set(key, prepare(document, compiled));
  }

  const plugin: Plugin = {
    onExecute({ args }) {
      const params = (args.contextValue as { params?: { query?: unknown; operationName?: string | null } }).params;
      if (typeof params?.query !== 'string') return;
      const { query, operationName } = params;
      if (prepared.has(keyOf(query, operationName))) return;
      // After the run: useGraphQlJit compiles inside execute.
      return { onExecuteDone: () => remember(query, operationName, args.document) };
    },
  };

  return {
    createContext,
    lookup: (query, operationName) => prepared.get(keyOf(query, operationName)),
    remember,
    jitCache: { get: compiledByText.get, set: compiledByText.set },
    plugin,
  };
}
