import { badInput } from '../../errors.js';
import { assertId } from '../../validate.js';

// Page cursors are opaque: the last user id of a page, base64url.
export const encodeCursor = (userId: string) => Buffer.from(userId, 'utf8').toString('base64url');

export function decodeCursor(cursor: unknown, from: string): string | null {
  if (cursor === null || cursor === undefined) return null;
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,700}$/.test(cursor)) throw badInput(`after is not a cursor from ${from}`);
  return assertId(Buffer.from(cursor, 'base64url').toString('utf8'), 'after');
}
