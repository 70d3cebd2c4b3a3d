import type { Transport } from './event-bus.js';

/** In-process pub/sub for the memory engine: same interface, no network. */
type Listeners = Map<string, Map<number, (payload: unknown) => void>>;

export function createMemoryTransport(): Transport {
  const channels: Listeners = new Map();
  const patterns: Listeners = new Map(); // prefix → listeners
  const owners = new Map<number, [Listeners, string]>();
  let nextId = 0;

  return {
    async publish({ name: channel }, payload) {
      for (const listener of channels.get(channel)?.values() ?? []) listener(payload);
      for (const [prefix, listeners] of patterns) {
        if (channel.startsWith(prefix)) for (const listener of listeners.values()) listener(payload);
      }
    },
    async subscribe({ name: channel, pattern }, listener) {
      const id = nextId++;
      const map = pattern ? patterns : channels;
      let listeners = map.get(channel);
      if (!listeners) map.set(channel, (listeners = new Map()));
      listeners.set(id, listener);
      owners.set(id, [map, channel]);
      return id;
    },
    unsubscribe(id) {
      const owner = owners.get(id);
      if (owner === undefined) return;
      owners.delete(id);
      const [map, channel] = owner;
      const listeners = map.get(channel);
      listeners?.delete(id);
      if (listeners?.size === 0) map.delete(channel);
    },
    async close() {
      channels.clear();
      patterns.clear();
      owners.clear();
    },
  };
}
