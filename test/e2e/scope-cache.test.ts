import { RequestCache } from '@pothos/plugin-scope-auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { useServers } from '../utils/server.js';

const QUERY = 'query($u: [ID!]!) { connectionStates(userIds: $u) { userId state } }';

/** One operation over a fresh graphql-ws socket; resolves with its `next` payload. */
async function overWebSocket(wsUrl: string, id: string) {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  socket.send('{"type":"connection_init"}');
  await new Promise((resolve) => socket.once('message', resolve));
  const payload = await new Promise<unknown>((resolve) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (frame.type === 'next') resolve(frame.payload);
    });
    socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: QUERY, variables: { u: ['u1'] } } }));
  });
  socket.terminate();
  return payload;
}

// Pothos scope-auth's per-context cache is dropped once each query or
// mutation is done, on every path a server runs one: yoga's own execute
// (a text's first runs) and the prepared path (later runs), over HTTP and
// graphql-ws alike.
describe("scope-auth's per-context cache", () => {
  const { start } = useServers();
  afterEach(() => vi.restoreAllMocks());

  it('is released after every operation, over HTTP and graphql-ws, through yoga and prepared', async () => {
    const server = await start('memory');
    const release = vi.spyOn(RequestCache, 'clearForContext');
    const expected = { data: { connectionStates: [{ userId: 'u1', state: 'OFFLINE' }] } };
    for (let run = 1; run <= 3; run++) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY, variables: { u: ['u1'] } }),
      });
      expect(await response.json()).toEqual(expected);
      expect(release).toHaveBeenCalledTimes(run);
    }
    for (let run = 1; run <= 3; run++) {
      expect(await overWebSocket(server.wsUrl, `op${run}`)).toEqual(expected);
      expect(release).toHaveBeenCalledTimes(3 + run);
    }
    for (const [context] of release.mock.calls) expect(context).toHaveProperty('caller');
  });
});
