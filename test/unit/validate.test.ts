import { describe, expect, it } from 'vitest';
import { assertId, assertIdList, assertIdSet } from '../../src/validate.js';

describe('id validation', () => {
  it.each(['u', 'x'.repeat(128), '사용자', '🎧'.repeat(128), 'with space', 'a:b{c}'])('accepts %j', (id) => {
    expect(assertId(id, 'id')).toBe(id);
  });

  it.each(['', 'x'.repeat(129), 'a\u0000b', 'tab\t', 'nl\n', '\u007f', '\u2028', '\ud800', 12, null, undefined, {}])(
    'rejects %j as BAD_USER_INPUT',
    (id) => {
      expect(() => assertId(id, 'userId')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
    },
  );

  it('keeps list order and duplicates, sorts and dedupes sets, and caps both', () => {
    expect(assertIdList(['b', 'a', 'b'], 'ids')).toEqual(['b', 'a', 'b']);
    expect(assertIdSet(['b', 'a', 'b'], 'ids')).toEqual(['a', 'b']);
    expect(assertIdSet(null, 'ids')).toEqual([]);
    expect(() => assertIdList(Array(1001).fill('a'), 'ids')).toThrow(/at most 1000/);
  });
});
