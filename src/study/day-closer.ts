import type { Logger } from '../logger.js';
import type { StateService } from '../state/service.js';

/**
 * Every instance checks once a second whether a study day has ended and
 * tries to close it; Redis decides which one does (see close-study-day.lua),
 * so studyDayClosed is published once. A check that finds nothing to close
 * costs no Redis call. Returns a function that stops the checks.
 */
export function startDayCloser(service: StateService, logger: Logger, intervalMs = 1_000): () => void {
  let busy = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const closed of await service.closeEndedDays()) logger.info('study day closed', { ...closed });
    } catch (error) {
      logger.warn('closing study days failed; retrying', { error: String(error) });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  void check();
  return () => clearInterval(timer);
}
