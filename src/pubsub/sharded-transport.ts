import type { Cluster } from 'ioredis';
import type { Transport } from './event-bus.js';

export interface ShardedTransportOptions {
  /** Sends SPUBLISH; may be the fail-fast command client. */
  publisher: Cluster;
  /**
   * Created with `shardedSubscribers: true`: ioredis then keeps one
   * subscriber connection per master and re-sends SSUBSCRIBE after a
   * failover or a slot move.
   */
  subscriber: Cluster;
  keyPrefix: string;
}

/**
 * Pub/sub on a Redis Cluster with SPUBLISH / SSUBSCRIBE: a message goes to
 * the master that owns its channel's slot and to no other node, where a
 * classic PUBLISH is copied to every node over the cluster bus.
 * graphql-redis-subscriptions has no sharded mode (its issue #569), so this
 * is ours, behind the same Transport as RedisPubSub.
 *
 * Sharded pub/sub has no patterns: a pattern subscription is refused, and a
 * topic meant for "everything of a kind" has to be a fixed set of channels.
 */
export function createShardedTransport({ publisher, subscriber, keyPrefix }: ShardedTransportOptions): Transport {
  /** Per channel: its listeners, and the SSUBSCRIBE every subscriber waits for. */
  const channels = new Map<string, { listeners: Map<number, (payload: unknown) => void>; ready: Promise<unknown> }>();
  const owners = new Map<number, string>();
  let nextId = 0;

  subscriber.on('smessage', (channel: string, message: string) => {
    const local = channels.get(channel)?.listeners;
    if (!local) return;
    // One parse per message, however many listeners (as RedisPubSub does).
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      return; // not ours: every payload we publish is JSON
    }
    for (const listener of local.values()) listener(payload);
  });

  function unsubscribe(id: number) {
    const name = owners.get(id);
    if (name === undefined) return;
    owners.delete(id);
    const entry = channels.get(name);
    entry?.listeners.delete(id);
    if (entry?.listeners.size === 0) {
      channels.delete(name);
      // Not awaited, as RedisPubSub does; a failure while the shard is away must not surface.
      subscriber.sunsubscribe(name).catch(() => {});
    }
  }

  return {
    async publish(channel, payload) {
      await publisher.spublish(keyPrefix + channel, JSON.stringify(payload));
    },
    async subscribe(channel, listener, pattern) {
      if (pattern) throw new Error(`sharded pub/sub has no pattern subscriptions (asked for ${channel}*)`);
      const name = keyPrefix + channel;
      const id = nextId++;
      let entry = channels.get(name);
      if (!entry) {
        entry = { listeners: new Map(), ready: subscriber.ssubscribe(name) };
        channels.set(name, entry);
      }
      entry.listeners.set(id, listener);
      owners.set(id, name);
      try {
        await entry.ready;
      } catch (error) {
        unsubscribe(id);
        if (channels.get(name) === entry) channels.delete(name);
        throw error;
      }
      return id;
    },
    unsubscribe,
    async close() {
      const names = [...channels.keys()];
      channels.clear();
      owners.clear();
      await Promise.all(names.map((name) => subscriber.sunsubscribe(name).catch(() => {})));
    },
  };
}
