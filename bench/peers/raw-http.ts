/** Peer: the limit — node:http and JSON.parse around the same script, no GraphQL at all. */
import { createServer } from 'node:http';
import { connect, ready } from './shared.js';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    // The bench's document names its one variable `i`; a raw server reads it straight from the JSON.
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { variables: { i: Parameters<typeof connect>[0] } };
    const result = await connect(body.variables.i);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { connectSession: result } }));
  });
});
server.listen(0, '127.0.0.1', () => ready(server));
