import { badInput } from './errors.js';

/** Most ids one request may carry in a list (userIds, guildIds). */
export const MAX_IDS = 1000;

// 1–128 characters, none of them control characters, lone surrogates or
// line/paragraph separators: ids end up in Redis keys, logs and channel names.
const ID = /^[^\p{Cc}\p{Cs}\p{Zl}\p{Zp}]{1,128}$/u;

export function assertId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw badInput(`${field} must be 1-128 printable characters`);
  }
  return value;
}

export function assertOptionalId(value: unknown, field: string): string | null {
  return value === null || value === undefined ? null : assertId(value, field);
}

/** Validates a list of ids, keeping order and duplicates. */
export function assertIdList(values: readonly unknown[], field: string, max = MAX_IDS): string[] {
  if (values.length > max) throw badInput(`${field} holds at most ${max} ids, got ${values.length}`);
  return values.map((v, i) => assertId(v, `${field}[${i}]`));
}

/** Validates a set of ids: duplicates dropped, sorted, so equal sets compare equal. */
export function assertIdSet(values: readonly unknown[] | null | undefined, field: string, max = MAX_IDS): string[] {
  return [...new Set(assertIdList(values ?? [], field, max))].sort();
}
