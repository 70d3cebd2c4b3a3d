import type { Logger } from '../logger.js';
import type { StateService } from './service.js';

/**
 * Every instance runs a maintenance pass each second: one of them (a Redis
 * lock per sweep) reaps sessions of lapsed gateway nodes and over-age
 * sessions and sends held-back OFFLINE events; every one tries to close
 * ended study days, which Redis lets happen once. A pass that finds nothing
 * costs a lock attempt and a few zset reads. Returns a function that stops it.
 */
export function startMaintenance(
  service: StateService,
  logger: Logger,
  { intervalMs = 1_000, onPass = () => {} }: { intervalMs?: number; onPass?: (result: Awaited<ReturnType<StateService['maintain']>> | null) => void } = {},
): () => void {
  let busy = false;
  let failing = false;
  const pass = async () => {
    if (busy) return;
    busy = true;
    try {
      const result = await service.maintain();
      onPass(result);
      const { closed, offline, days } = result;
      if (closed > 0 || offline > 0) logger.info('reaped sessions', { closed, offline });
      for (const day of days) logger.info('study day closed', { ...day });
      failing = false;
    } catch (error) {
      onPass(null);
      // One line when it starts failing, not one a second during an outage.
      if (!failing) logger.warn('maintenance failed; retrying every second', { error: String(error) });
      failing = true;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  void pass();
  return () => clearInterval(timer);
}
