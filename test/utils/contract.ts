import { afterEach } from 'vitest';
import type { Config } from '../../src/config.js';
import { collect } from './collect.js';
import { createTestState, type EngineName } from './engines.js';

/**
 * For a contract suite: `setup` makes a fresh state on the engine, `watch`
 * reads a subscription in the background, `defer` registers more cleanup;
 * everything is torn down after each test, newest first.
 */
export function useEngine(engine: EngineName) {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const defer = (cleanup: () => unknown) => void cleanups.push(cleanup);

  async function watch<T>(iterator: Promise<AsyncIterableIterator<T>>) {
    const c = collect(await iterator);
    defer(() => c.close());
    return c;
  }

  async function setup(overrides: Partial<Config> = {}) {
    const t = await createTestState(engine, overrides);
    defer(() => t.state.close());
    return { ...t, watch };
  }

  return { setup, watch, defer };
}
