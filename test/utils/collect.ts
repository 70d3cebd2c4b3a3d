/** Reads an async iterator in the background so tests can wait for a number of events. */
export function collect<T>(iterator: AsyncIterator<T>) {
  const events: T[] = [];
  const waiters: Array<() => void> = [];
  let error: unknown = null;
  void (async () => {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        events.push(next.value);
        for (const w of waiters.splice(0)) w();
      }
    } catch (e) {
      error = e;
      for (const w of waiters.splice(0)) w();
    }
  })();

  return {
    events,
    get error() {
      return error;
    },
    /** Resolves with the first `count` events, or rejects after `timeoutMs`. */
    async take(count: number, timeoutMs = 5_000): Promise<T[]> {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count && !error) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} events, got ${events.length}: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
      if (error) throw error;
      return events.slice(0, count);
    },
    /** Waits a little and checks that no more than `count` events arrived. */
    async settle(ms = 150): Promise<T[]> {
      await new Promise((r) => setTimeout(r, ms));
      return events.slice();
    },
    close: () => iterator.return?.(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` is true. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Polls `read` until it yields a value other than null (a failed read counts as null); for harnesses waiting on a server. */
export async function valueOf<T>(read: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
