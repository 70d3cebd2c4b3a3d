export interface SlowConsumerLimits {
  /** Unsent bytes a socket or SSE response may hold after a turn's writes. */
  readonly maxBufferedBytes: number;
  /** How long it may keep more than a little unsent before it counts as behind. */
  readonly maxLagMs: number;
}

/** Below this much unsent data a peer counts as keeping up: the kernel took nearly all of the last write. */
const KEEPING_UP_BYTES = 64 * 1024;

/**
 * Judges one subscriber connection (a WebSocket or an SSE response) by what
 * it has left unsent once a turn's writes are flushed: too many bytes, or
 * more than a little for longer than `maxLagMs`, means its reader is not
 * keeping up. Measured after the flush, not per frame, so a fast reader that
 * receives a burst in one turn is never mistaken for a slow one.
 */
export class SlowConsumerGauge {
  private behindSince = -1;

  constructor(private readonly limits: SlowConsumerLimits) {}

  /** Why the connection must be cut, or null while it keeps up. */
  check(unsentBytes: number, now = performance.now()): string | null {
    if (unsentBytes > this.limits.maxBufferedBytes) return `its reader left more than ${this.limits.maxBufferedBytes} bytes unread`;
    if (unsentBytes <= KEEPING_UP_BYTES) {
      this.behindSince = -1;
      return null;
    }
    if (this.behindSince < 0) this.behindSince = now;
    return now - this.behindSince > this.limits.maxLagMs ? `its reader has been behind for more than ${this.limits.maxLagMs} ms` : null;
  }
}

export const slowConsumerMessage = (reason: string) => `subscriber is not keeping up (${reason}); subscription ended, subscribe again`;
