import type { Cluster } from 'ioredis';
import type { Topic, Transport } from './event-bus.js';

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
  /**
   * The sharded channels of a topic (full names). A topic published by a
   * script has to live in that script's slot, and sharded pub/sub has no
   * patterns, so "every room" is a fixed set of channels. Default: the
   * prefixed topic name, patterns refused.
   */
  channelsOf?: (topic: Topic<string>) => string[];
}

/**
 * Pub/sub on a Redis Cluster with SPUBLISH / SSUBSCRIBE: a message goes to
 * the master that owns its channel's slot and to no other node, where a
 * classic PUBLISH is copied to every node over the cluster bus.
 * graphql-redis-subscriptions has no sharded mode (its issue #569), so this
 * is ours, behind the same Transport as RedisPubSub.
 */
export function createShardedTransport({ publisher, subscriber, keyPrefix, channelsOf }: ShardedTransportOptions): Transport {
  const route =
    channelsOf ??
    ((topic: Topic<string>) => {
      if (topic.pattern) throw new Error(`sharded pub/sub has no pattern subscriptions (asked for ${topic.name}*)`);
      return [keyPrefix + topic.name];
    });
  /** Per channel: its listeners, and the SSUBSCRIBE every subscriber waits for. */
  const channels = new Map<string, { listeners: Map<number, (payload: unknown) => void>; ready: Promise<unknown> }>();
  const owners = new Map<number, string[]>();
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

  function leave(id: number, name: string) {
    const entry = channels.get(name);
    entry?.listeners.delete(id);
    if (entry?.listeners.size === 0) {
      channels.delete(name);
      // Not awaited, as RedisPubSub does; a failure while the shard is away must not surface.
      subscriber.sunsubscribe(name).catch(() => {});
    }
  }

  function unsubscribe(id: number) {
    const names = owners.get(id);
    if (names === undefined) return;
    owners.delete(id);
    for (const name of names) leave(id, name);
  }

  return {
    async publish(topic, payload) {
      const message = JSON.stringify(payload);
      await Promise.all(route(topic).map((name) => publisher.spublish(name, message)));
    },
    async subscribe(topic, listener) {
      const names = route(topic);
      const id = nextId++;
      const waits = names.map((name) => {
        let entry = channels.get(name);
        if (!entry) {
          entry = { listeners: new Map(), ready: subscriber.ssubscribe(name) };
          channels.set(name, entry);
        }
        entry.listeners.set(id, listener);
        return entry.ready;
      });
      owners.set(id, names);
      try {
        await Promise.all(waits);
      } catch (error) {
        unsubscribe(id);
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
