import {
  createSourceEventStream,
  execute,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type WebSocket from 'ws';
import { ErrorCode, StateError } from '../errors.js';
import type { BoundedIterator } from '../pubsub/bounded-iterator.js';

/** Stop sending to a socket whose unsent data passes this; the subscription ends with RATE_LIMITED. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Subscriptions over graphql-ws with the per-event work shared. Each
 * subscriber still creates its own source stream (the subscribe resolver
 * runs per caller, with its scope checks), but an event is executed once
 * per distinct (event, document, operation, variables) and serialized once;
 * every socket gets that JSON inside its own `next` frame. Subscription
 * payload resolvers read only the event, never the caller, so sharing the
 * result is exact.
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
      const result = execute({ ...args, rootValue: event }) as ExecutionResult;
      const errors = result.errors?.map((e) => maskError(e).toJSON());
      json = JSON.stringify(errors ? { ...result, errors } : result);
      byKey.set(key, json);
    }
    return json;
  }

  /**
   * The `subscribe` graphql-ws calls: it returns an iterator that yields
   * nothing itself (frames go straight to the socket) and ends when the
   * source ends, fails, or the client completes.
   */
  return async function subscribe(
    args: ExecutionArgs,
    socket: WebSocket,
    id: string,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) {
      const result = source as ExecutionResult;
      return result.errors ? { ...result, errors: result.errors.map(maskError) } : result;
    }
    const events = source as AsyncIterableIterator<unknown>;
    const key = keyOf(args);
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;

    let finish: (r: IteratorResult<ExecutionResult>) => void = () => {};
    let fail: (e: unknown) => void = () => {};
    const ended = new Promise<IteratorResult<ExecutionResult>>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const send = (event: unknown) => {
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        void events.return?.();
        return fail(new StateError(ErrorCode.RATE_LIMITED, 'subscriber is not reading its socket; subscription ended'));
      }
      socket.send(prefix + payloadJson(event as object, key, args) + '}');
    };
    const direct = events as Partial<BoundedIterator<unknown>>;
    if (typeof direct.consume === 'function') {
      // Our bus's iterators hand events over synchronously: no promise per event.
      direct.consume(send, () => finish({ value: undefined, done: true }));
    } else {
      void (async () => {
        try {
          for (let next = await events.next(); !next.done; next = await events.next()) send(next.value);
          finish({ value: undefined, done: true });
        } catch (error) {
          fail(error);
        }
      })();
    }

    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => ended,
      return: async () => {
        await events.return?.();
        finish({ value: undefined, done: true });
        return { value: undefined, done: true };
      },
      throw: async (error?: unknown) => {
        await events.return?.();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  };
}
