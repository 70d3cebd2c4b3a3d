import { readFileSync } from 'node:fs';
import { buildSchema, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GraphQLRequestError } from '../../examples/client.js';
import * as documents from '../../examples/documents.js';
import { watchGuild } from '../../examples/frontend.js';
import { createGateway } from '../../examples/gateway.js';
import type { PresenceEvent } from '../../examples/documents.js';
import { until } from '../utils/collect.js';
import { useServers } from '../utils/server.js';

describe('typed client examples (examples/)', () => {
  const { start } = useServers();

  it('sends only operations that validate against schema.graphql', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    for (const [name, document] of Object.entries(documents)) {
      if (typeof document !== 'object') continue;
      expect({ name, errors: validate(schema, document).map((e) => e.message) }).toEqual({ name, errors: [] });
    }
  });

  it('a gateway and a front end work against a real server: snapshot, ONLINE, resync, OFFLINE', async () => {
    const server = await start('memory');
    const events: PresenceEvent[] = [];
    const watch = watchGuild(server.wsUrl, '7', (e) => events.push(e));
    try {
      const gateway = createGateway({ url: server.url, nodeId: 'example-gw', leaseSeconds: 30 });
      // A node the server has never seen is asked to resync.
      expect((await gateway.start()).resync).toBe(true);
      await until(() => server.app.state.bus.activeSubscriptions() > 0, 5_000, 'the front end subscribed');
      expect(await gateway.open({ sessionId: 'ex-1', userId: '42', guildIds: ['7'] })).toMatchObject({ changed: true, connection: { state: 'ONLINE' } });
      await until(() => watch.online.has('42'), 5_000, 'the ONLINE event in the front end');
      expect((await gateway.heartbeat()).resync).toBe(false);
      expect(await gateway.close('ex-1')).toMatchObject({ changed: true, connection: { state: 'OFFLINE' } });
      await until(() => !watch.online.has('42'), 5_000, 'the OFFLINE event in the front end');
      expect(events.map((e) => e.state)).toEqual(['ONLINE', 'OFFLINE']);
      gateway.stop();
      // Errors arrive with their stable code.
      await expect(gateway.open({ sessionId: '', userId: '42' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(gateway.open({ sessionId: '', userId: '42' })).rejects.toBeInstanceOf(GraphQLRequestError);
    } finally {
      await watch.stop();
    }
  });
});
