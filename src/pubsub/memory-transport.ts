import type { Transport } from './event-bus.js';

/** In-process pub/sub for the memory engine: same interface, no network. */
export function createMemoryTransport(): Transport {
  const channels = new Map<string, Map<number, (payload: unknown) => void>>();
  const owners = new Map<number, string>();
  let nextId = 0;

  return {
    async publish(channel, payload) {
      for (const listener of channels.get(channel)?.values() ?? []) listener(payload);
    },
    async subscribe(channel, listener) {
      const id = nextId++;
      let listeners = channels.get(channel);
      if (!listeners) channels.set(channel, (listeners = new Map()));
      listeners.set(id, listener);
      owners.set(id, channel);
      return id;
    },
    unsubscribe(id) {
      const channel = owners.get(id);
      if (channel === undefined) return;
      owners.delete(id);
      const listeners = channels.get(channel);
      listeners?.delete(id);
      if (listeners?.size === 0) channels.delete(channel);
    },
    async close() {
      channels.clear();
      owners.clear();
    },
  };
}
