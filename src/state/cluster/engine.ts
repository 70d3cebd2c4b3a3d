import { guard } from '../redis/context.js';
import type { StateEngine } from '../engine.js';
import { createClusterContext, type ClusterStateOptions } from './context.js';
import { clusterBatchSessions } from './batch-sessions.js';
import { clusterMaintenance } from './maintenance.js';
import { clusterNodes } from './nodes.js';
import { clusterRooms } from './rooms.js';
import { clusterSessions } from './sessions.js';
import { clusterStudy } from './study.js';
import { clusterVoice } from './voice.js';
import { clusterMembers } from './members.js';

export type { ClusterStateOptions };

/**
 * The Cluster-native state layer (docs/cluster-layout.md): every step
 * touches one hash slot; a user's partition owns their state, guild views
 * and the session index follow through the user's outbox.
 */
export function createClusterState(options: ClusterStateOptions) {
  const ctx = createClusterContext(options);
  const sessions = clusterSessions(ctx);
  const maintenance = clusterMaintenance(ctx, sessions);
  return {
    keys: ctx.keys,
    ...sessions,
    ...clusterBatchSessions(ctx, sessions),
    ...clusterVoice(ctx),
    ...clusterMembers(ctx, sessions),
    ...clusterNodes(ctx, sessions),
    ...clusterStudy(ctx),
    ...clusterRooms(ctx),
    ...maintenance,
  };
}

export type ClusterState = ReturnType<typeof createClusterState>;

/** The Cluster layer as the state service's engine: a reap pass also repairs outboxes left unapplied. */
export function createClusterEngine(options: ClusterStateOptions): StateEngine {
  const state = createClusterState(options);
  return {
    ...state,
    reap: async (now, sessionMaxAgeMs) => {
      const reaped = await state.reap(now, sessionMaxAgeMs);
      await state.repair(now);
      return reaped;
    },
    ping: () =>
      guard(async () => {
        await options.client.ping();
      }),
    close: async () => {
      // The app owns the clients.
    },
  };
}
