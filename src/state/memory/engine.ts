import { eachItem } from '../batch.js';
import type { StateEngine } from '../engine.js';
import { memoryNodes } from './nodes.js';
import { memoryRooms } from './rooms.js';
import { sessionSteps } from './sessions-steps.js';
import { memorySessions } from './sessions.js';
import { createMemoryStore, type MemoryEngineOptions } from './store.js';
import { memoryStudy } from './study.js';
import { memoryStatus } from './status.js';
import { memoryMembers } from './members.js';
import { memoryVoice } from './voice.js';

export type { MemoryEngineOptions };

/**
 * The single-process engine: the same rules as the Lua scripts (same steps,
 * same event order), on Maps. Each method runs synchronously up to its
 * publishes, so every step is atomic.
 */
export function createMemoryEngine(options: MemoryEngineOptions): StateEngine {
  const store = createMemoryStore(options);
  const steps = sessionSteps(store);
  const sessions = memorySessions(store, steps);
  return {
    ...sessions,
    // Item after item: each is atomic here as a single call is.
    connectSessions: (inputs, now) => eachItem(inputs, (input) => sessions.connectSession(input, now)),
    disconnectSessions: (sessionIds, now) => eachItem(sessionIds, (id) => sessions.disconnectSession(id, now)),
    ...memoryStatus(store, steps),
    ...memoryMembers(store, steps),
    presenceLog: async (guildId, after) => store.presenceLogs.read(guildId, after),
    voiceLog: async (guildId, after) => store.voiceLogs.read(guildId, after),
    ...memoryVoice(store),
    ...memoryNodes(store, steps),
    ...memoryStudy(store),
    ...memoryRooms(store),
    async ping() {},
    async close() {
      clearInterval(store.sweep);
      for (const map of [store.users, store.sessionOwners, store.tombstones, store.voice, store.voiceVersions, store.guildOnline, store.nodes, store.nodeSessions, store.unleased, store.pending, store.statusExpiry, store.presenceLogs.logs, store.voiceLogs.logs, store.totals, store.timers, store.closedDays]) {
        map.clear();
      }
    },
  };
}
