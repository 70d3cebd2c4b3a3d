import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import WebSocket from 'ws';

/** A fixture in its own process; resolves with the numbers it printed after READY. */
export async function startChild(file: string, env: Record<string, string> = {}, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolve(line.slice(6).trim().split(' ').map(Number));
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${out}`)));
  });
  return { child, ports, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

/** Requests per second autocannon sustains against `url`. */
export async function loadTest(options: autocannon.Options): Promise<number> {
  const result = await autocannon({ connections: 50, pipelining: 1, ...options });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors from ${options.url}`);
  }
  return result.requests.total / (result.duration || 1);
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function graphql(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * A GraphQL POST over one kept-alive node:http connection, resolving with
 * the raw body once its last byte arrived: a latency measured with it
 * leaves out fetch's own machinery and the parse of the answer.
 */
export function rawPoster(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return (query: string, variables?: Record<string, unknown>) =>
    new Promise<string>((resolve, reject) => {
      const body = JSON.stringify({ query, variables });
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
}

// Our clients trust the servers they measure: no compression, and no UTF-8
// check of every frame received (the same for our server and the raw one).
const CLIENT_OPTIONS = { perMessageDeflate: false, skipUTF8Validation: true };

/**
 * A graphql-ws `subscribe` frame for `query`, built from a template: the
 * bench's clients share the machine with what they measure, so they skip
 * JSON.stringify per operation. `variables` is JSON text.
 */
export function operationFrame(query: string) {
  const head = `","type":"subscribe","payload":{"query":${JSON.stringify(query)},"variables":`;
  return (id: string, variables: string) => `{"id":"${id}${head}${variables}}}`;
}

/** A raw graphql-ws socket: connection_init sent and acknowledged. */
export async function openSocket(wsUrl: string): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws', CLIENT_OPTIONS);
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', resolve);
  });
  socket.send('{"type":"connection_init"}');
  await new Promise<void>((resolve) => socket.once('message', () => resolve()));
  return socket;
}

/** A plain ws socket, open. */
export async function openPlainSocket(wsUrl: string): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, CLIENT_OPTIONS);
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', resolve);
  });
  return socket;
}

/** Opens `count` sockets, a hundred at a time. */
export async function openSockets(wsUrl: string, count: number, open = openSocket): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => open(wsUrl)))));
  }
  return sockets;
}

export const closeSockets = async (sockets: WebSocket[]) => {
  await Promise.all(
    sockets.map((s) => new Promise<void>((resolve) => (s.readyState === WebSocket.CLOSED ? resolve() : (s.once('close', () => resolve()), s.terminate())))),
  );
};

/** The server's heap after a full collection, its resident set and its live subscriptions. */
export async function heapOf(sidePort: number): Promise<{ heapUsed: number; rss: number; subscriptions: number }> {
  return (await (await fetch(`http://127.0.0.1:${sidePort}/heap`)).json()) as { heapUsed: number; rss: number; subscriptions: number };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Redis CPU seconds (user + sys) a redis-server has used so far, by its URL or port. */
export async function redisCpuSeconds(where: string | number): Promise<number> {
  const client = typeof where === 'number' ? new Redis({ port: where, host: '127.0.0.1' }) : new Redis(where);
  const info = await client.info('cpu');
  client.disconnect();
  return Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);
}
