import { badInput } from './errors.js';

/** Most ids one request may carry in a list (userIds, guildIds). */
export const MAX_IDS = 1000;

// 1–128 characters, none of them control characters, lone surrogates or
// line/paragraph separators: ids end up in Redis keys, logs and channel names.
const ID = /^[^\p{Cc}\p{Cs}\p{Zl}\p{Zp}]{1,128}$/u;

export const isValidId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);

export function assertId(value: unknown, field: string): string {
  if (!isValidId(value)) {
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
  // The field name is only built for a bad id: lists run to a thousand ids.
  return values.map((v, i) => (isValidId(v) ? v : assertId(v, `${field}[${i}]`)));
}

/** Validates a set of ids: duplicates dropped, sorted, so equal sets compare equal. */
export function assertIdSet(values: readonly unknown[] | null | undefined, field: string, max = MAX_IDS): string[] {
  return [...new Set(assertIdList(values ?? [], field, max))].sort();
}

/** An integer within [min, max], else BAD_USER_INPUT naming the field. */
export function assertInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

// Free text of room events: printable, with line breaks and tabs allowed.
const TEXT = /^(?:[^\p{Cc}\p{Cs}]|[\n\t])*$/u;

export function assertText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || !TEXT.test(value) || [...value].length > max) {
    throw badInput(`${field} must be at most ${max} printable characters`);
  }
  return value;
}
