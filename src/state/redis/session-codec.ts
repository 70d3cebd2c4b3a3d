import type { SessionContent, SessionRecord } from '../records.js';

// How lua/lib/session-records.lua stores a session: '\n'-separated fields instead of JSON
// (ids hold no control characters), so a session with typical ids fits
// hash-max-listpack-value and the user hash stays a compact listpack.

/** Content as the scripts take it: 'node\nroom\nguild1\nguild2...', absent fields empty. */
export const encodeContent = (c: SessionContent) => [c.n ?? '', c.r ?? '', ...(c.g ?? [])].join('\n');

/** A stored record: 'q\nt\n' in front of the content. */
export function decodeRecord(text: string): SessionRecord {
  const [q, t, n, r, ...g] = text.split('\n');
  const rec: SessionRecord = { q: Number(q), t: Number(t) };
  if (n) rec.n = n;
  if (r) rec.r = r;
  if (g.length > 0) rec.g = g;
  return rec;
}
