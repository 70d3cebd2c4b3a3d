import { ErrorCode, StateError } from '../errors.js';
import type { BoundedIterator } from './bounded-iterator.js';

/** One live subscription on a channel. */
export interface Subscriber {
  readonly iterator: BoundedIterator<unknown>;
  readonly filter: ((payload: unknown) => boolean) | undefined;
}

/** The subscribers of one channel; the array is replaced, never changed, so a queued event keeps the set it arrived for. */
export interface Audience {
  subscribers: readonly Subscriber[];
  /** When subscribers of this channel were last shed (performance.now). */
  shedAt: number;
}

export interface DispatcherOptions {
  /** Longest run of deliveries before the event loop gets a turn. @default 10 */
  sliceMs?: number;
  /** An event waiting longer than this means the instance is overloaded, and subscribers are shed. @default 5000 */
  maxLagMs?: number;
  /** Subscribers ended because the instance could not keep up. */
  onShed?: (count: number) => void;
  /** Events handed to subscribers. */
  onDelivered?: (count: number) => void;
  now?: () => number;
}

interface Job {
  readonly audience: Audience;
  readonly subscribers: readonly Subscriber[];
  readonly payload: unknown;
  readonly at: number;
  next: number;
}

/**
 * Hands each received event to its channel's subscribers, in arrival order,
 * in slices of at most `sliceMs`: a fan-out to thousands of sockets cannot
 * hold the event loop, so requests, health checks and Redis replies are
 * served between slices. Nothing waits while the instance keeps up (an event
 * is delivered at once). When it does not, and the oldest waiting event is
 * older than `maxLagMs`, the newest half of that event's waiting subscribers
 * is ended with RATE_LIMITED (at most once per half lag per channel): their
 * queued deliveries are then skipped, which is what brings the lag back
 * down, and they know to subscribe again instead of silently falling behind.
 */
export function createDispatcher(options: DispatcherOptions = {}) {
  const {
    sliceMs = 10, // a slice's share of the event loop
    maxLagMs = 5_000, // what counts as overloaded
    onShed = () => {},
    onDelivered = () => {},
    now = () => performance.now(),
  } = options;
  const jobs: Array<Job | undefined> = [];
  let head = 0;
  let running = false;
  let scheduled = false;
  // The end of this turn's slice. Events that arrive within one turn (one
  // socket read holds many) share it, so a burst cannot hold the loop by
  // arriving in pieces; it is forgotten when the turn ends.
  let turnSliceEnds: number | null = null;
  const forgetTurn = () => (turnSliceEnds = null);
  const turnDeadline = () => {
    if (turnSliceEnds === null) {
      turnSliceEnds = now() + sliceMs;
      setImmediate(forgetTurn);
    }
    return turnSliceEnds;
  };

  const overloaded = (lag: number) =>
    new StateError(ErrorCode.RATE_LIMITED, `server is overloaded: events waited ${Math.round(lag)} ms; subscription ended, subscribe again`);

  /** Ends the newest half of the job's subscribers that still wait for it. */
  function shed(job: Job, lag: number) {
    const waiting: Subscriber[] = [];
    for (let i = job.next; i < job.subscribers.length; i++) if (!job.subscribers[i]!.iterator.ended) waiting.push(job.subscribers[i]!);
    const count = Math.ceil(waiting.length / 2);
    for (const subscriber of waiting.slice(waiting.length - count)) subscriber.iterator.fail(overloaded(lag));
    job.audience.shedAt = now();
    if (count > 0) onShed(count);
  }

  function run(fresh: boolean) {
    scheduled = false;
    const deadline = fresh ? now() + sliceMs : turnDeadline();
    if (now() > deadline) return schedule();
    running = true;
    let steps = 0;
    try {
      while (head < jobs.length) {
        const job = jobs[head]!;
        const lag = now() - job.at;
        if (lag > maxLagMs && now() - job.audience.shedAt > maxLagMs / 2) shed(job, lag);
        let delivered = 0;
        while (job.next < job.subscribers.length) {
          const { iterator, filter } = job.subscribers[job.next++]!;
          if (!iterator.ended && (!filter || filter(job.payload))) {
            iterator.push(job.payload);
            delivered++;
          }
          if ((++steps & 7) === 0 && now() > deadline) break;
        }
        if (delivered > 0) onDelivered(delivered);
        if (job.next < job.subscribers.length) return schedule();
        jobs[head++] = undefined;
        // Under lasting overload the queue never empties: drop the delivered front now and then.
        if (head >= 1024 && head * 2 >= jobs.length) {
          jobs.splice(0, head);
          head = 0;
        }
      }
      jobs.length = 0;
      head = 0;
    } finally {
      running = false;
    }
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(run, true);
  }

  return {
    /** Delivers `payload` to the audience as it is now; at once when nothing waits. */
    dispatch(audience: Audience, payload: unknown) {
      if (audience.subscribers.length === 0) return;
      jobs.push({ audience, subscribers: audience.subscribers, payload, at: now(), next: 0 });
      if (!running && !scheduled) run(false);
    },
    /** Age in ms of the oldest event not yet delivered to everyone (0 when none waits). */
    lagMs: () => (head < jobs.length ? now() - jobs[head]!.at : 0),
    /** Events not yet delivered to everyone. */
    waiting: () => jobs.length - head,
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
