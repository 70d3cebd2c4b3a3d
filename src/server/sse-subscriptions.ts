import type { ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, StateError } from '../errors.js';
import { isStream, type PayloadSink, type SharedStream, type SharedSubscriptions } from './shared-subscriptions.js';
import { slowConsumerMessage, SlowConsumerGauge, type SlowConsumerLimits } from './slow-consumer.js';

/** yoga pings its SSE responses this often so that proxies keep them open; so do we. */
const PING_MS = 12_000;
const SSE_HEADERS = { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' };
const COMPLETE = 'event: complete\ndata:\n\n';
const nextFrame = (json: string, id?: string) => `${id === undefined ? '' : `id: ${id}\n`}event: next\ndata: ${json}\n\n`;

const acceptsEventStream = (request: Request) => request.headers.get('accept')?.includes('text/event-stream') === true;

// Every stream written in this turn is handed to its response body at the
// turn's end: a burst of events becomes one chunk per subscriber.
const dirty = new Set<SseSink>();
const flushAll = () => {
  for (const sink of [...dirty]) sink.flush();
  dirty.clear();
};
const open = new Set<SseSink>();
/** Server-Sent Events streams open in this process (for /metrics). */
export const openSseStreams = () => open.size;
let pinger: NodeJS.Timeout | undefined;

/**
 * One SSE response of a shared subscription. Frames gather in `pending`,
 * which the response body takes when it asks for more (its `pull`): while
 * the client reads, that is once a turn; while it does not, `pending` grows
 * and is judged after every turn, so a reader that stops is cut off with
 * RATE_LIMITED (an error `next`, then `complete`) and its response is closed.
 */
class SseSink implements PayloadSink {
  private pending = ':\n\n'; // first a comment, as yoga sends: some clients wait for a first byte
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private waiting: (() => void) | undefined; // a pull that found nothing to take
  private stream: SharedStream | undefined;
  private finished = false; // `complete` is in `pending` or sent
  private closed = false;
  private handedOver = 0; // chunks the body has taken
  private res: ServerResponse | undefined;
  private readonly gauge: SlowConsumerGauge;

  constructor(
    limits: SlowConsumerLimits,
    private readonly onCut: () => void,
  ) {
    this.gauge = new SlowConsumerGauge(limits);
  }

  /** The subscription this response carries. */
  bind(stream: SharedStream) {
    this.stream = stream;
  }

  /** Starts pinging and watches the node response, so a client that left releases its subscription. */
  watch(res: ServerResponse | undefined) {
    this.res = res;
    if (this.finished) return;
    open.add(this);
    pinger ??= setInterval(() => {
      for (const sink of open) sink.write(':\n\n');
    }, PING_MS).unref();
    res?.once('close', () => this.close());
  }

  send(json: string, position?: string) {
    this.write(nextFrame(json, position));
  }

  end(error?: GraphQLError) {
    if (this.finished) return;
    this.finished = true;
    open.delete(this);
    this.write((error ? nextFrame(JSON.stringify({ errors: [error.toJSON()] })) : '') + COMPLETE, true);
  }

  write(text: string, final = false) {
    if (this.closed || (this.finished && !final)) return;
    this.pending += text;
    dirty.add(this);
    if (dirty.size === 1) setImmediate(flushAll);
  }

  /** The end of a turn: hand over what the body asked for, then judge what it left. */
  flush() {
    if (this.closed) return;
    if (this.waiting && this.pending !== '') this.handOver();
    if (this.finished) return;
    const reason = this.gauge.check(this.pending.length);
    if (reason) this.cut(reason);
  }

  private handOver() {
    this.handedOver++;
    this.controller!.enqueue(Buffer.from(this.pending));
    this.pending = '';
    const resume = this.waiting!;
    this.waiting = undefined;
    resume();
    if (this.finished) {
      this.controller!.close();
      this.release();
    }
  }

  private cut(reason: string) {
    this.onCut();
    this.stream?.stop();
    this.end(new StateError(ErrorCode.RATE_LIMITED, slowConsumerMessage(reason)));
    // A reader that never comes back would hold `pending` for ever: one that
    // takes nothing for a ping interval loses its connection (as graphql-ws's
    // keep-alive ends a socket that does not answer its ping).
    let handedOver = this.handedOver;
    const watch = setInterval(() => {
      if (this.closed) return clearInterval(watch);
      if (this.handedOver === handedOver) {
        clearInterval(watch);
        this.res?.destroy();
        this.close();
      }
      handedOver = this.handedOver;
    }, PING_MS).unref();
  }

  private release() {
    this.closed = true;
    open.delete(this);
    dirty.delete(this);
    if (open.size === 0 && pinger) {
      clearInterval(pinger);
      pinger = undefined;
    }
  }

  close() {
    if (this.closed) return;
    this.release();
    this.pending = '';
    this.stream?.stop();
    this.waiting?.();
    this.waiting = undefined;
  }

  /** The response: its body pulls from `pending`. */
  response(fetchAPI: { ReadableStream: typeof ReadableStream; Response: typeof Response }): Response {
    const body = new fetchAPI.ReadableStream<Uint8Array>({
      pull: (controller) => {
        this.controller = controller;
        if (this.closed) return;
        return new Promise<void>((resolve) => {
          this.waiting = resolve;
          if (this.pending !== '') this.handOver();
        });
      },
      cancel: () => this.close(),
    });
    return new fetchAPI.Response(body as never, { status: 200, headers: SSE_HEADERS });
  }
}

export interface SharedSseOptions {
  shared: SharedSubscriptions;
  limits: SlowConsumerLimits;
  /** A slow reader was cut off. */
  onCut?: () => void;
}

/**
 * Subscriptions over Server-Sent Events on the shared execution: yoga runs
 * everything up to the subscribe call (parsing, validation, limits, our
 * context, its errors and statuses), then this plugin's subscribe opens a
 * shared stream and its result processor writes frames the way yoga's SSE
 * processor does. yoga's own path executes every event once per subscriber
 * and awaits several promises per event and subscriber, which let 30
 * subscribers hold an instance for seconds under a burst.
 */
export function useSharedSse({ shared, limits, onCut = () => {} }: SharedSseOptions): Plugin {
  const sinks = new WeakMap<object, SseSink>();
  return {
    onSubscribe({ args, setSubscribeFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (!request || !acceptsEventStream(request)) return;
      setSubscribeFn(async (subscribeArgs) => {
        const sink = new SseSink(limits, onCut);
        const opened = await shared(subscribeArgs, sink);
        if (!isStream(opened)) return opened;
        sink.bind(opened);
        // What yoga hands to onResultProcess: a token for this sink, not an iterable, so no other plugin maps it.
        const token = {};
        sinks.set(token, sink);
        return token as ExecutionResult;
      });
    },
    onResultProcess({ result, setResultProcessor, serverContext }) {
      const sink = sinks.get(result as object);
      if (!sink) return;
      sink.watch((serverContext as { res?: ServerResponse }).res);
      setResultProcessor((_result, fetchAPI) => sink.response(fetchAPI as never), 'text/event-stream');
    },
  };
}
