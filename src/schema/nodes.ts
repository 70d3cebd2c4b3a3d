import type { NodeLease, NodeSyncResult } from '../state/types.js';
import { builder } from './builder.js';
import { ActivityEnum, PlatformEnum } from './status-types.js';

const NodeLeaseRef = builder.objectRef<NodeLease>('NodeLease').implement({
  description: "A gateway node's lease: its sessions close when it lapses",
  fields: (t) => ({
    nodeId: t.exposeID('nodeId'),
    resync: t.exposeBoolean('resync', {
      description: 'The server did not know the node (new, lapsed, or state lost): send its sessions with syncNodeSessions',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const NodeSyncResultRef = builder.objectRef<NodeSyncResult>('NodeSyncResult').implement({
  fields: (t) => ({
    nodeId: t.exposeID('nodeId'),
    opened: t.exposeInt('opened', { description: 'Sessions opened or updated' }),
    closed: t.exposeInt('closed', { description: "Sessions of the node that were not in the list" }),
    unchanged: t.exposeInt('unchanged'),
    refused: t.exposeIDList('refused', { description: 'Sessions held by another user, or already closed (tombstone)' }),
  }),
});

const NodeSessionInput = builder.inputType('NodeSessionInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    userId: t.id({ required: true }),
    guildIds: t.idList(),
    roomId: t.id(),
    activity: t.field({ type: ActivityEnum, description: 'ACTIVE when omitted' }),
    platform: t.field({ type: PlatformEnum }),
  }),
});

const SyncNodeSessionsInput = builder.inputType('SyncNodeSessionsInput', {
  fields: (t) => ({
    nodeId: t.id({ required: true }),
    sessions: t.field({ type: [NodeSessionInput], required: true, description: 'Every session the node holds, at most 10000' }),
    ttlSeconds: t.int({ description: 'Lease to renew; default NODE_LEASE_SECONDS' }),
  }),
});

builder.queryFields((t) => ({
  nodeLeases: t.field({
    type: [NodeLeaseRef],
    description: 'Known gateway nodes, soonest lease expiry first (at most 1000); resync is true for a lapsed node',
    authScopes: { service: true },
    resolve: (_root, _args, { state }) => state.nodeLeases(),
  }),
}));

builder.mutationFields((t) => ({
  heartbeat: t.field({
    type: NodeLeaseRef,
    description: "Renews a gateway node's lease (default NODE_LEASE_SECONDS); a lapsed node's sessions are closed",
    args: { nodeId: t.arg.id({ required: true }), ttlSeconds: t.arg.int() },
    authScopes: { service: true },
    resolve: (_root, { nodeId, ttlSeconds }, { state }) => state.heartbeat(nodeId, ttlSeconds),
  }),
  syncNodeSessions: t.field({
    type: NodeSyncResultRef,
    description: "Replaces the node's sessions with this list in one step, publishing only real transitions",
    args: { input: t.arg({ type: SyncNodeSessionsInput, required: true }) },
    authScopes: { service: true },
    resolve: (_root, { input }, { state }) => state.syncNodeSessions(input),
  }),
}));
