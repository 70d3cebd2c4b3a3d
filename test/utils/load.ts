import { Agent, request, type IncomingMessage } from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface RawSse {
  /** Resolves once the server holds the subscription (its first comment line arrived). */
  readonly ready: Promise<void>;
  /** Resolves when the server ends the response. */
  readonly ended: Promise<void>;
  /** `event: next` frames received so far. */
  nexts(): number;
  /** The `data:` of every frame after the last `count` ones, parsed. */
  lastFrames(count: number): Array<{ event: string; data: string; id?: string }>;
  /** Stops reading (TCP backpressure reaches the server), and starts again. */
  pause(): void;
  resume(): void;
  close(): void;
}

/**
 * A Server-Sent Events subscription read with node:http: it counts frames
 * without parsing JSON, so a test process can read many streams without its
 * own event loop becoming what the test measures.
 */
export function rawSse(base: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): RawSse {
  const body = JSON.stringify({ query, variables });
  let nexts = 0;
  let tail = ''; // the text after the last complete frame
  const frames: Array<{ event: string; data: string; id?: string }> = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let markEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  let response: IncomingMessage | undefined;
  let paused = false;
  const req = request(`${base}/graphql`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body), ...headers },
  });
  req.on('response', (res) => {
    response = res;
    if (paused) res.pause();
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      tail += chunk;
      const cut = tail.lastIndexOf('\n\n');
      if (cut < 0) return;
      const complete = tail.slice(0, cut + 2);
      tail = tail.slice(cut + 2);
      markReady();
      for (let at = complete.indexOf('event: next'); at >= 0; at = complete.indexOf('event: next', at + 11)) nexts++;
      // Keep the last frames only: a burst is many megabytes.
      for (const block of complete.slice(-8_192).split('\n\n')) {
        // An event may start with its id (resumable streams), then event and data.
        const id = block.startsWith('id: ') ? block.slice(4, block.indexOf('\n')) : undefined;
        const rest = id === undefined ? block : block.slice(block.indexOf('\n') + 1);
        if (!rest.startsWith('event:')) continue;
        const [eventLine = '', ...data] = rest.split('\n');
        frames.push({ event: eventLine.slice('event: '.length), data: data.join('\n').replace(/^data: ?/, ''), ...(id === undefined ? {} : { id }) });
      }
      if (frames.length > 64) frames.splice(0, frames.length - 64);
    });
    res.on('end', markEnded);
    res.on('close', markEnded);
  });
  req.on('error', markEnded);
  req.on('close', markEnded);
  req.end(body);
  return {
    ready,
    ended,
    nexts: () => nexts,
    lastFrames: (count) => frames.slice(-count),
    pause: () => {
      paused = true;
      response?.pause();
    },
    resume: () => {
      paused = false;
      response?.resume();
    },
    close: () => req.destroy(),
  };
}

/** Polls `url` on one kept-alive connection; each sample is one request's time in ms. */
export function probe(url: string, everyMs = 10) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          samples.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', () => resolve());
      req.end();
    });
  const loop = async () => {
    while (!stopped) {
      inFlight = once();
      await inFlight;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  void loop();
  return {
    samples,
    async stop() {
      stopped = true;
      await inFlight;
      agent.destroy();
      const sorted = [...samples].sort((a, b) => a - b);
      return { count: sorted.length, max: sorted.at(-1) ?? 0, p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0 };
    },
  };
}

/**
 * Runs `count` mutations over one graphql-ws socket with `inFlight` at a time
 * and resolves when every one is answered.
 */
export async function mutationBurst(
  wsUrl: string,
  query: string,
  variablesOf: (i: number) => Record<string, unknown>,
  { count, inFlight = 64, connectionParams }: { count: number; inFlight?: number; connectionParams?: Record<string, unknown> },
) {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams, onNonLazyError: () => {} });
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const result = await client.iterate({ query, variables: variablesOf(i) }).next();
      if (result.value?.errors) failed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await client.dispose();
  }
  return { failed };
}
