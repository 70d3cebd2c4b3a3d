import { GraphQLError, Source } from 'graphql';

/**
 * Every error a client can cause carries one of these in `extensions.code`.
 * The two GRAPHQL_* codes are the ones graphql-yoga already gives documents
 * that do not parse or validate; they are listed so clients see one list.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  STATE_UNAVAILABLE: 'STATE_UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const knownCodes = new Set<string>(Object.values(ErrorCode));

/** An expected failure: its message and code are safe to show to the caller. */
export class StateError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message, { extensions: { code } });
    this.name = 'StateError';
    this.code = code;
  }
}

export const badInput = (message: string) => new StateError(ErrorCode.BAD_USER_INPUT, message);

/**
 * Redis could not answer. `retryable` is always true: every mutation is
 * idempotent, so sending it again converges to one effect.
 * `mayHaveBeenApplied` tells a refusal (the request never reached Redis,
 * or Redis refused it: nothing changed) from a timeout or a dropped
 * connection after sending (it may have taken effect).
 */
export const stateUnavailable = (mayHaveBeenApplied = false) => {
  const error = new StateError(
    ErrorCode.STATE_UNAVAILABLE,
    mayHaveBeenApplied
      ? 'state store did not answer in time; the request may have been applied; retry it'
      : 'state store is unavailable; the request was not applied; retry it',
  );
  Object.assign(error.extensions, { retryable: true, mayHaveBeenApplied });
  return error;
};

/** Words in Did-you-mean hints, which reveal the schema when introspection is off. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** The message without GraphQL's "Did you mean …?" hints (field, argument, type and enum value names). */
export const withoutSuggestions = (message: string) => message.replace(SUGGESTION, '');

/** Whether an error already carries a code we are willing to show. */
export function isExposedError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  return typeof code === 'string' && knownCodes.has(code);
}

/** graphql-jit's errors: `locations`, without the nodes or source they came from. */
const onlyLocations = (error: GraphQLError) => !error.nodes && !error.positions && (error.locations?.length ?? 0) > 0;

/**
 * Where an error points in the document, in the form GraphQLError is built
 * from. Every rebuild (ours below, yoga's HTTP serializer) derives
 * `locations` from nodes, or source and positions, so graphql-jit's would be
 * lost: a source of blank lines, each as long as the columns on it need,
 * gives them back exactly and is never longer than the document was. The
 * last one is kept, for the many errors a list's items can raise at one place.
 */
let lastWhere: { key: string; source: Source; positions: number[] } | undefined;
function whereOf(error: GraphQLError) {
  if (!onlyLocations(error)) return { nodes: error.nodes, source: error.source, positions: error.positions };
  const locations = error.locations!;
  const key = locations.map(({ line, column }) => `${line}:${column}`).join(',');
  if (lastWhere?.key === key) return { source: lastWhere.source, positions: lastWhere.positions };
  const widths = new Map<number, number>();
  for (const { line, column } of locations) widths.set(line, Math.max(widths.get(line) ?? 0, column));
  const lines: string[] = [];
  const starts: number[] = [];
  const lastLine = Math.max(...widths.keys());
  let at = 0;
  for (let line = 1; line <= lastLine; line++) {
    const width = widths.get(line) ?? 0;
    starts[line] = at;
    lines.push(' '.repeat(width));
    at += width + 1;
  }
  lastWhere = { key, source: new Source(lines.join('\n')), positions: locations.map(({ line, column }) => starts[line]! + column - 1) };
  return { source: lastWhere.source, positions: lastWhere.positions };
}

/** graphql-jit's error as one that keeps its locations through a rebuild; any other as it is. */
const located = (error: GraphQLError) =>
  onlyLocations(error)
    ? new GraphQLError(error.message, { ...whereOf(error), path: error.path, originalError: error.originalError, extensions: error.extensions })
    : error;

/**
 * Turns anything thrown during execution into an error safe for a client:
 * expected errors pass through, GraphQL's own input errors get
 * BAD_USER_INPUT, the rest become a bare INTERNAL.
 */
export function maskError(error: unknown): GraphQLError {
  if (isExposedError(error)) return located(error);
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    if (original && isExposedError(original)) {
      return new GraphQLError(original.message, { ...whereOf(error), path: error.path, extensions: { ...original.extensions } });
    }
    // Errors graphql-js and yoga raise themselves (variable coercion, a query
    // that is not a string, no operation to run) wrap nothing or another
    // GraphQLError, and describe the caller's input. Codes outside our list
    // (yoga's BAD_REQUEST, OPERATION_RESOLUTION_FAILURE) become BAD_USER_INPUT.
    if (!original || original instanceof GraphQLError) {
      const code = error.extensions?.code;
      if (typeof code === 'string' && knownCodes.has(code)) return located(error);
      return new GraphQLError(error.message, { ...whereOf(error), path: error.path, extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT } });
    }
    return new GraphQLError('Internal server error', {
      path: error.path,
      extensions: { code: ErrorCode.INTERNAL },
    });
  }
  return new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL } });
}
