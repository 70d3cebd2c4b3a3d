import { createClusterContext, type ClusterStateOptions } from './context.js';
import { clusterMaintenance } from './maintenance.js';
import { clusterSessions } from './sessions.js';
import { clusterVoice } from './voice.js';

export type { ClusterStateOptions };

/**
 * The Cluster-native state layer, as far as it is built (docs/cluster-layout.md):
 * sessions, presence, voice, node leases and their maintenance. Study time,
 * node sync, presence snapshots and room relays are not yet on it, so the
 * server does not run on a Cluster yet.
 */
export function createClusterState(options: ClusterStateOptions) {
  const ctx = createClusterContext(options);
  const sessions = clusterSessions(ctx);
  return { keys: ctx.keys, ...sessions, ...clusterVoice(ctx), ...clusterMaintenance(ctx, sessions) };
}

export type ClusterState = ReturnType<typeof createClusterState>;
