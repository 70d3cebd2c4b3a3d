import { ErrorCode, StateError } from '../errors.js';
import type { ItemError, SessionItem, SessionResult } from './types.js';

/** Most items one batch call takes (a gateway's scheduler sends up to this many at once). */
export const BATCH_LIMIT = 1_000;

export const itemResult = (result: SessionResult): SessionItem => ({ result, error: null });
export const itemFailure = (error: ItemError): SessionItem => ({ result: null, error });

/**
 * An item's client error (bad input, another user's session) as its own
 * outcome; anything else (the store is away, a bug) fails the whole call,
 * whose items are each idempotent, so the caller retries it as a whole.
 */
export function refusedItem(error: unknown): SessionItem {
  if (error instanceof StateError && error.code === ErrorCode.BAD_USER_INPUT) return itemFailure({ code: error.code, message: error.message });
  throw error;
}

/** One item's outcome from its decoding, a client error kept as the outcome. */
export function itemOf(decode: () => SessionResult): SessionItem {
  try {
    return itemResult(decode());
  } catch (error) {
    return refusedItem(error);
  }
}

/** `run` on each item in order, an item's client error kept as its outcome (the memory engine, the slow paths). */
export async function eachItem<T>(items: readonly T[], run: (item: T) => Promise<SessionResult>): Promise<SessionItem[]> {
  const out: SessionItem[] = [];
  for (const item of items) {
    try {
      out.push(itemResult(await run(item)));
    } catch (error) {
      out.push(refusedItem(error));
    }
  }
  return out;
}
