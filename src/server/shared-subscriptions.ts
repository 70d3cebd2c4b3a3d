import {
  createSourceEventStream,
  execute,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { BoundedIterator, Consumer } from '../pubsub/bounded-iterator.js';

/** Where a shared subscription's events go: a graphql-ws socket or an SSE response wraps each in its own frame. */
export interface PayloadSink {
  /** One event's execution result as JSON (the same string for every subscriber of the same operation), and the event's position when it has one (SSE writes it as the event id). */
  send(resultJson: string, position?: string): void;
  /** The source ended (no error) or failed (a masked error); called once, never after `stop`. */
  end(error?: GraphQLError): void;
}

/** An open shared subscription. */
export interface SharedStream {
  /** The subscriber went away or was cut off: releases the source; `end` is not called. */
  stop(): void;
}

/**
 * The context a shared execution runs with: its result goes to every
 * subscriber of the operation, so a payload resolver that reads the caller
 * (a per-viewer field) would leak one subscriber's view to the others. Any
 * read throws, so such a resolver fails its first event (masked INTERNAL,
 * logged) instead of answering. Scope checks run in `subscribe`, with the
 * caller's own context (authorizeOnSubscribe).
 */
export const FANOUT_CONTEXT: object = new Proxy(Object.freeze({}), {
  get(_target, property) {
    throw new Error(`a subscription payload resolver read the context (${String(property)}): shared results may depend on the event alone`);
  },
});

/** A guild stream event's position (resume.ts), which SSE sends as its event id. */
const positionOf = (event: unknown): string | undefined => {
  const position = (event as { position?: unknown }).position;
  return typeof position === 'string' ? position : undefined;
};

/** Whether `open` opened a stream (or the subscribe resolver refused with a result). */
export const isStream = (opened: SharedStream | ExecutionResult): opened is SharedStream => 'stop' in opened;

/**
 * Subscriptions with the per-event work shared, for every transport. Each
 * subscriber still creates its own source stream (the subscribe resolver
 * runs per caller, with its scope checks), but an event is executed once
 * per distinct (event, document, operation, variables) and serialized once;
 * each transport wraps that JSON in its own frame. Subscription payload
 * resolvers read only the event, never the caller (FANOUT_CONTEXT makes
 * that a loud failure), so sharing the result is exact.
 */
export function createSharedSubscriptions(maskError: (error: unknown) => GraphQLError) {
  // event object → operation key → serialized payload; events are shared
  // objects (one parse per Redis message), so this lives as long as they do.
  const results = new WeakMap<object, Map<string, string>>();
  // yoga's parse cache hands every subscriber of the same text the same
  // DocumentNode, so a document's identity names it.
  const documentIds = new WeakMap<DocumentNode, number>();
  let documents = 0;
  const keyOf = (args: ExecutionArgs) => {
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) documentIds.set(args.document, (documentId = documents++));
    return `${documentId}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? null)}`;
  };

  function payloadJson(event: object, key: string, args: ExecutionArgs): string {
    let byKey = results.get(event);
    if (!byKey) results.set(event, (byKey = new Map()));
    let json = byKey.get(key);
    if (json === undefined) {
      // Our payload resolvers are synchronous, so execute answers at once.
      const result = execute({ ...args, rootValue: event, contextValue: FANOUT_CONTEXT }) as ExecutionResult;
      const errors = result.errors?.map((e) => maskError(e).toJSON());
      json = JSON.stringify(errors ? { ...result, errors } : result);
      byKey.set(key, json);
    }
    return json;
  }

  /**
   * Opens the subscription: a result with errors when the subscribe
   * resolver refused it, else a stream feeding `sink` until it ends or is
   * stopped. Events are handed over synchronously where the source allows
   * (our bus's iterators), so delivery runs inside the bus's time slices.
   */
  return async function open(args: ExecutionArgs, sink: PayloadSink): Promise<SharedStream | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) {
      const result = source as ExecutionResult;
      return result.errors ? { ...result, errors: result.errors.map(maskError) } : result;
    }
    // Only what each event's execution needs: the caller's context (and what it reaches) is not kept for the stream's life.
    const { schema, document, operationName, variableValues } = args;
    return new Stream(source as AsyncIterableIterator<unknown>, sink, { key: keyOf(args), args: { schema, document, operationName, variableValues }, payloadJson, maskError });
  };
}

/**
 * One open shared subscription: the consumer of its source, feeding its
 * sink. A class, so an idle subscription holds one object, not a closure
 * per callback.
 */
class Stream implements SharedStream, Consumer<unknown> {
  private stopped = false;

  constructor(
    private readonly events: AsyncIterableIterator<unknown>,
    private readonly sink: PayloadSink,
    private readonly operation: {
      key: string;
      args: ExecutionArgs;
      payloadJson: (event: object, key: string, args: ExecutionArgs) => string;
      maskError: (error: unknown) => GraphQLError;
    },
  ) {
    const direct = events as Partial<BoundedIterator<unknown>>;
    if (typeof direct.consume === 'function') direct.consume(this);
    else void this.pull();
  }

  onValue(event: unknown) {
    const { key, args, payloadJson } = this.operation;
    if (!this.stopped) this.sink.send(payloadJson(event as object, key, args), positionOf(event));
  }

  onEnd(error?: unknown) {
    if (this.stopped) return;
    this.stopped = true;
    this.sink.end(error === undefined ? undefined : this.operation.maskError(error));
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    void this.events.return?.();
  }

  /** A source that is not our bus's: read it, one event at a time. */
  private async pull() {
    try {
      for (let next = await this.events.next(); !next.done && !this.stopped; next = await this.events.next()) this.onValue(next.value);
      this.onEnd();
    } catch (error) {
      this.onEnd(error);
    }
  }
}

export type SharedSubscriptions = ReturnType<typeof createSharedSubscriptions>;
