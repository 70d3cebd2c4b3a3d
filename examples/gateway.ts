/**
 * A chat gateway: reports sessions opening and closing, keeps its node
 * lease with heartbeats and resends its sessions when the server asks.
 *
 *   STATE_SERVER_URL=http://localhost:4000/graphql npx tsx examples/gateway.ts
 */
import { request } from './client.js';
import { ConnectSession, DisconnectSession, Heartbeat, SyncNodeSessions, type SessionInput } from './documents.js';

export interface GatewayOptions {
  url: string;
  nodeId: string;
  /** A service token when the server runs with auth. */
  token?: string;
  /** Lease length; heartbeats go at a third of it. */
  leaseSeconds?: number;
}

export function createGateway({ url, nodeId, token, leaseSeconds = 30 }: GatewayOptions) {
  const sessions = new Map<string, Omit<SessionInput, 'nodeId'>>();
  let timer: NodeJS.Timeout | undefined;

  async function heartbeat() {
    const { heartbeat } = await request(url, Heartbeat, { nodeId, ttlSeconds: leaseSeconds }, token);
    // The server lost or never knew this node: send every session it holds.
    if (heartbeat.resync) await request(url, SyncNodeSessions, { input: { nodeId, sessions: [...sessions.values()] } }, token);
    return heartbeat;
  }

  return {
    async open(session: Omit<SessionInput, 'nodeId'>) {
      sessions.set(session.sessionId, session);
      return (await request(url, ConnectSession, { input: { ...session, nodeId } }, token)).connectSession;
    },
    async close(sessionId: string) {
      sessions.delete(sessionId);
      return (await request(url, DisconnectSession, { sessionId }, token)).disconnectSession;
    },
    heartbeat,
    /** Heartbeats every third of the lease until `stop`. */
    start() {
      timer = setInterval(() => void heartbeat().catch(() => {}), (leaseSeconds * 1000) / 3);
      return heartbeat();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const gateway = createGateway({ url: process.env.STATE_SERVER_URL ?? 'http://localhost:4000/graphql', nodeId: 'example-gw', token: process.env.SERVICE_TOKEN });
  await gateway.start();
  console.log(await gateway.open({ sessionId: 'example-1', userId: '42', guildIds: ['7'] }));
  console.log(await gateway.close('example-1'));
  gateway.stop();
}
