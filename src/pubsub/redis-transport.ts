import { once } from 'node:events';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import type { Transport } from './event-bus.js';

/** Escapes Redis glob characters so only our trailing `*` is a wildcard. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

export interface RedisTransportOptions {
  /** Publishes; may be the fail-fast command client. */
  publisher: Redis;
  /** Dedicated to SUBSCRIBE; it queues while Redis is away and resubscribes on reconnect. */
  subscriber: Redis;
  keyPrefix: string;
}

/**
 * Redis pub/sub through graphql-redis-subscriptions' RedisPubSub. We use only
 * its subscribe/unsubscribe (it shares one Redis subscription per channel and
 * parses each message once); iteration and filtering are ours (event-bus.ts).
 */
export function createRedisTransport({ publisher, subscriber, keyPrefix }: RedisTransportOptions): Transport {
  // RedisPubSub fires UNSUBSCRIBE/PUNSUBSCRIBE without awaiting them; while
  // Redis is away those would become unhandled rejections.
  for (const method of ['unsubscribe', 'punsubscribe'] as const) {
    const original = subscriber[method].bind(subscriber) as (...args: unknown[]) => Promise<unknown>;
    (subscriber as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const pending = original(...args);
      pending.catch(() => {});
      return pending;
    };
  }
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const known = new Set<number>();

  return {
    async publish({ name }, payload) {
      await pubsub.publish(keyPrefix + name, payload);
    },
    async subscribe({ name: channel, pattern }, listener) {
      // A SUBSCRIBE queued before the connection is ready can be acknowledged
      // while the first messages after it are lost (seen in about 3% of tries),
      // so subscriptions are only sent on a ready connection.
      if (subscriber.status !== 'ready') await once(subscriber, 'ready');
      const id = pattern
        ? await pubsub.subscribe(globEscape(keyPrefix + channel) + '*', listener, { pattern: true })
        : await pubsub.subscribe(keyPrefix + channel, listener);
      known.add(id);
      return id;
    },
    unsubscribe(id) {
      // RedisPubSub throws on an id it does not know; ours are always known.
      if (known.delete(id)) pubsub.unsubscribe(id);
    },
    async close() {
      for (const id of known) pubsub.unsubscribe(id);
      known.clear();
    },
  };
}
