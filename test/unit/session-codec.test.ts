import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/state/records.js';
import { decodeRecord, encodeContent } from '../../src/state/redis/session-codec.js';
import { isValidId } from '../../src/validate.js';

const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter(isValidId);

describe('session record codec (Redis)', () => {
  it('gives back every record it stored, absent fields absent', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.option(id, { nil: undefined }),
          r: fc.option(id, { nil: undefined }),
          g: fc.option(fc.array(id, { minLength: 1, maxLength: 5 }), { nil: undefined }),
          f: fc.option(fc.constantFrom('i', 'd', 'im', 'w'), { nil: undefined }),
        }),
        fc.nat(),
        fc.nat(),
        (content, q, t) => {
          const expected: SessionRecord = { q, t };
          for (const k of ['n', 'r', 'g', 'f'] as const) if (content[k] !== undefined) Object.assign(expected, { [k]: content[k] });
          // The scripts store 'q\ntF' + the content after its flags field (encode_session).
          const [flags, ...rest] = encodeContent(content).split('\n');
          expect(decodeRecord(`${q}\n${t}${flags}\n${rest.join('\n')}`)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps a session with typical ids short enough for a listpack hash (64 bytes)', () => {
    const [flags, ...rest] = encodeContent({ n: 'gateway-17', g: ['guild-4821', 'guild-90210'], f: 'im' }).split('\n');
    expect(Buffer.byteLength(`12\n1795462600978${flags}\n${rest.join('\n')}`)).toBeLessThanOrEqual(64);
  });
});
