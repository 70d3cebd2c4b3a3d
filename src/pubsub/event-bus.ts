import { stateUnavailable } from '../errors.js';
import { createBoundedIterator } from './bounded-iterator.js';
import type { Topic, TopicKind, TopicPayloads } from './topics.js';

/** The wire underneath the bus: Redis pub/sub or an in-process map. */
export interface Transport {
  publish(channel: string, payload: unknown): Promise<void>;
  /**
   * Resolves once messages on `channel` (with `pattern`, on every channel
   * starting with it) will reach `listener`.
   */
  subscribe(channel: string, listener: (payload: unknown) => void, pattern: boolean): Promise<number>;
  unsubscribe(id: number): void;
  close(): Promise<void>;
}

export interface SubscribeOptions<T> {
  /** Only payloads for which this returns true are delivered. */
  filter?: (payload: T) => boolean;
}

/** Typed publish/subscribe over the topics of `topics.ts`. */
export interface EventBus {
  publish<K extends TopicKind>(topic: Topic<K>, payload: TopicPayloads[K]): Promise<void>;
  /** Resolves once every topic is subscribed, so no event published afterwards is missed. */
  subscribe<K extends TopicKind>(
    topics: Array<Topic<K>>,
    options?: SubscribeOptions<TopicPayloads[K]>,
  ): Promise<AsyncIterableIterator<TopicPayloads[K]>>;
  /** Live subscriptions of this process (for readiness of tests and metrics). */
  activeSubscriptions(): number;
  /** Ends every live subscription (their streams complete), as on shutdown. */
  endAll(): Promise<void>;
  close(): Promise<void>;
}

export interface EventBusOptions {
  /** Events queued per subscription before it is cut off. @default 1000 */
  bufferSize?: number;
  /** How long a subscription may wait for the transport. @default 2000 */
  subscribeTimeoutMs?: number;
}

export function createEventBus(transport: Transport, options: EventBusOptions = {}): EventBus {
  const {
    bufferSize = 1000, // events per subscriber
    subscribeTimeoutMs = 2_000, // a subscription never waits longer on Redis
  } = options;

  let active = 0;
  const live = new Set<AsyncIterableIterator<unknown>>();
  const endAll = async () => {
    await Promise.all([...live].map((iterator) => iterator.return?.()));
  };

  return {
    publish: (topic, payload) => transport.publish(topic.name, payload),
    activeSubscriptions: () => active,
    endAll,

    async subscribe(topicList, { filter } = {}) {
      const ids: number[] = [];
      let closed = false;
      let counted = false;
      const release = () => {
        live.delete(iterator as AsyncIterableIterator<unknown>);
        closed = true;
        if (counted) active -= 1;
        counted = false;
        for (const id of ids.splice(0)) transport.unsubscribe(id);
      };
      type Payload = Parameters<NonNullable<typeof filter>>[0];
      const iterator = createBoundedIterator<Payload>(bufferSize, release);
      const listener = (payload: unknown) => {
        if (!filter || filter(payload as Payload)) iterator.push(payload as Payload);
      };

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(stateUnavailable()), subscribeTimeoutMs);
      });
      const pending = topicList.map((topic) =>
        transport.subscribe(topic.name, listener, topic.pattern).then((id) => {
          // A subscription that completes after we gave up must not leak.
          if (closed) transport.unsubscribe(id);
          else ids.push(id);
        }),
      );
      try {
        await Promise.race([Promise.all(pending), timeout]);
      } catch (error) {
        release();
        // Late settlements are handled above; keep them from becoming unhandled.
        for (const p of pending) p.catch(() => {});
        throw error instanceof Error && 'extensions' in error ? error : stateUnavailable();
      } finally {
        // The subscription's closures keep this scope alive: drop the spent timer.
        clearTimeout(timer);
        timer = undefined;
      }
      active += 1;
      counted = true;
      live.add(iterator as AsyncIterableIterator<unknown>);
      return iterator;
    },

    async close() {
      await endAll();
      await transport.close();
    },
  };
}
