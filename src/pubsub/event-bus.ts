import { stateUnavailable } from '../errors.js';
import { createBoundedIterator, type BoundedIterator } from './bounded-iterator.js';
import { createDispatcher, type Audience, type DispatcherOptions, type Subscriber } from './dispatcher.js';

/** The wire underneath the bus: Redis pub/sub or an in-process map. */
export interface Transport {
  publish(topic: Topic<string>, payload: unknown): Promise<void>;
  /**
   * Resolves once messages on the topic's channel (with `pattern`, on every
   * channel starting with its name) will reach `listener`.
   */
  subscribe(topic: Topic<string>, listener: (payload: unknown) => void): Promise<number>;
  unsubscribe(id: number): void;
  close(): Promise<void>;
}

/** A channel name, or with `pattern` every channel that starts with it, tagged with the kind of its payload. */
export interface Topic<K extends string> {
  readonly kind: K;
  readonly name: string;
  readonly pattern: boolean;
  /** The entity the topic is about ('' for none): a sharded transport places the channel by it. */
  readonly id: string;
}

export interface SubscribeOptions<T> {
  /** Only payloads for which this returns true are delivered. */
  filter?: (payload: T) => boolean;
}

/** Typed publish/subscribe; `P` maps each topic kind to its payload (the state layer's is `src/state/topics.ts`). */
export interface EventBus<P extends object> {
  publish<K extends keyof P & string>(topic: Topic<K>, payload: P[K]): Promise<void>;
  /** Resolves once every topic is subscribed, so no event published afterwards is missed. */
  subscribe<K extends keyof P & string>(topics: Array<Topic<K>>, options?: SubscribeOptions<P[K]>): Promise<BoundedIterator<P[K]>>;
  /** Live subscriptions of this process (for readiness of tests and metrics). */
  activeSubscriptions(): number;
  /** Age in ms of the oldest event still being delivered (0 when delivery keeps up). */
  deliveryLagMs(): number;
  /** Ends every live subscription (their streams complete), as on shutdown. */
  endAll(): Promise<void>;
  close(): Promise<void>;
}

export interface EventBusOptions extends Pick<DispatcherOptions, 'maxLagMs' | 'onShed' | 'onDelivered'> {
  /** Events queued per subscription before it is cut off. @default 1000 */
  bufferSize?: number;
  /** How long a subscription may wait for the transport. @default 2000 */
  subscribeTimeoutMs?: number;
  /** Called for each message the transport hands over (once per channel, not per subscriber). */
  onReceived?: () => void;
}

/** One transport subscription, shared by every subscriber of its channel. */
interface Channel extends Audience {
  readonly key: string;
  /** Settles when the transport subscription is in place. */
  ready: Promise<void>;
  id: number | undefined;
  closed: boolean;
}

export function createEventBus<P extends object>(transport: Transport, options: EventBusOptions = {}): EventBus<P> {
  const {
    bufferSize = 1000, // events per subscriber
    subscribeTimeoutMs = 2_000, // a subscription never waits longer on Redis
    onReceived = () => {},
    ...dispatcherOptions
  } = options;
  const dispatcher = createDispatcher(dispatcherOptions);
  // The bus fans out itself (not the transport), so one event is one job for the dispatcher.
  const channels = new Map<string, Channel>();
  const live = new Set<AsyncIterableIterator<unknown>>();

  function channelOf(topic: Topic<string>): Channel {
    const key = `${topic.pattern ? '*' : '='}${topic.name}`;
    const existing = channels.get(key);
    if (existing) return existing;
    const channel: Channel = { key, subscribers: [], shedAt: -Infinity, id: undefined, closed: false, ready: Promise.resolve() };
    const listener = (payload: unknown) => {
      onReceived();
      dispatcher.dispatch(channel, payload);
    };
    channel.ready = transport.subscribe(topic, listener).then(
      (id) => {
        // A channel every subscriber left before the transport answered must not leak.
        if (channel.closed) transport.unsubscribe(id);
        else channel.id = id;
      },
      (error: unknown) => {
        close(channel);
        throw error;
      },
    );
    channels.set(key, channel);
    return channel;
  }

  function close(channel: Channel) {
    if (channel.closed) return;
    channel.closed = true;
    if (channels.get(channel.key) === channel) channels.delete(channel.key);
    if (channel.id !== undefined) transport.unsubscribe(channel.id);
  }

  function leave(channel: Channel, subscriber: Subscriber) {
    channel.subscribers = channel.subscribers.filter((s) => s !== subscriber);
    if (channel.subscribers.length === 0) close(channel);
  }

  const endAll = async () => {
    await Promise.all([...live].map((iterator) => iterator.return?.()));
  };

  return {
    publish: (topic, payload) => transport.publish(topic, payload),
    activeSubscriptions: () => live.size,
    deliveryLagMs: () => dispatcher.lagMs(),
    endAll,

    async subscribe(topicList, { filter } = {}) {
      const joined: Channel[] = [];
      const release = () => {
        live.delete(iterator as AsyncIterableIterator<unknown>);
        for (const channel of joined.splice(0)) leave(channel, subscriber);
      };
      type Payload = Parameters<NonNullable<typeof filter>>[0];
      const iterator = createBoundedIterator<Payload>(bufferSize, release);
      const subscriber: Subscriber = { iterator: iterator as never, filter: filter as Subscriber['filter'] };
      for (const topic of topicList) {
        const channel = channelOf(topic);
        channel.subscribers = [...channel.subscribers, subscriber];
        joined.push(channel);
      }

      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(stateUnavailable()), subscribeTimeoutMs);
      });
      const pending = joined.map((channel) => channel.ready);
      try {
        await Promise.race([Promise.all(pending), timeout]);
      } catch (error) {
        release();
        // Late settlements are handled by the channel; keep them from becoming unhandled.
        for (const p of pending) p.catch(() => {});
        throw error instanceof Error && 'extensions' in error ? error : stateUnavailable();
      } finally {
        // The subscription's closures keep this scope alive: drop the spent timer.
        clearTimeout(timer);
        timer = undefined;
      }
      // Ended while it waited (shutdown): nothing to hand out but an ended stream.
      if (!iterator.ended) live.add(iterator as AsyncIterableIterator<unknown>);
      return iterator;
    },

    async close() {
      await endAll();
      await transport.close();
    },
  };
}
