import { describe, expect, it } from 'vitest';
import { createBoundedIterator } from '../../src/pubsub/bounded-iterator.js';
import { createDispatcher, type Audience, type Subscriber } from '../../src/pubsub/dispatcher.js';
import { StateError } from '../../src/errors.js';

/** Subscribers that record what they got and how they ended; `cost` ms of fake time passes per delivery. */
function audience(count: number, clock: { t: number }, cost = 0) {
  const got: number[][] = Array.from({ length: count }, () => []);
  const ended: Array<StateError | undefined | 'open'> = Array.from({ length: count }, () => 'open');
  const subscribers: Subscriber[] = got.map((seen, i) => {
    const iterator = createBoundedIterator<unknown>(1000, () => {});
    iterator.consume({
      onValue: (value) => {
        clock.t += cost;
        seen.push(value as number);
      },
      onEnd: (error) => (ended[i] = error),
    });
    return { iterator, filter: undefined };
  });
  const target: Audience = { subscribers, shedAt: -Infinity };
  return { target, got, ended };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('dispatcher', () => {
  it('delivers at once while it keeps up', () => {
    const clock = { t: 0 };
    const d = createDispatcher({ now: () => clock.t });
    const { target, got } = audience(3, clock);
    d.dispatch(target, 1);
    d.dispatch(target, 2);
    expect(got).toEqual([[1, 2], [1, 2], [1, 2]]);
    expect(d.waiting()).toBe(0);
  });

  it('gives the event loop a turn once a slice is spent, and goes on where it stopped, in order', async () => {
    const clock = { t: 0 };
    const d = createDispatcher({ sliceMs: 10, now: () => clock.t });
    const { target, got } = audience(40, clock, 1); // 1 ms a delivery: a slice holds about 10
    d.dispatch(target, 1);
    d.dispatch(target, 2);
    const first = got.filter((g) => g.length > 0).length;
    expect(first).toBeGreaterThanOrEqual(10);
    expect(first).toBeLessThan(40);
    expect(d.waiting()).toBe(2);
    while (d.waiting() > 0) await turn();
    expect(got.every((g) => g.join() === '1,2')).toBe(true);
  });

  it('events arriving back to back share a slice', async () => {
    const clock = { t: 0 };
    const d = createDispatcher({ sliceMs: 10, now: () => clock.t });
    const { target, got } = audience(1, clock, 1);
    for (let i = 0; i < 50; i++) d.dispatch(target, i);
    expect(got[0]!.length).toBeLessThanOrEqual(17); // one slice, checked every 8 deliveries
    while (d.waiting() > 0) await turn();
    expect(got[0]).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('sheds the newest half of the waiting subscribers with RATE_LIMITED once events wait longer than maxLagMs', async () => {
    const clock = { t: 0 };
    let shed = 0;
    const d = createDispatcher({ sliceMs: 10, maxLagMs: 100, now: () => clock.t, onShed: (n) => (shed += n) });
    const { target, ended } = audience(100, clock, 1);
    for (let i = 0; i < 20; i++) d.dispatch(target, i); // 2,000 ms of work, 100 ms allowed
    while (d.waiting() > 0) await turn();
    const cut = ended.filter((e) => e !== 'open');
    expect(cut.length).toBeGreaterThan(0);
    expect(shed).toBe(cut.length);
    for (const e of cut) expect(e).toMatchObject({ extensions: { code: 'RATE_LIMITED' }, message: expect.stringMatching(/overloaded/) });
    // The oldest subscribers are kept: whoever was cut, everyone before them was not.
    const firstCut = ended.findIndex((e) => e !== 'open');
    expect(ended.slice(firstCut).every((e) => e !== 'open')).toBe(true);
    expect(ended.slice(0, firstCut).length).toBeGreaterThan(0);
  });
});

describe('dispatcher queue', () => {
  it('keeps only what still waits while it never empties', async () => {
    const clock = { t: 0 };
    const d = createDispatcher({ sliceMs: 10, maxLagMs: 1e9, now: () => clock.t });
    const { target, got } = audience(1, clock, 1);
    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < 20; i++) d.dispatch(target, round * 20 + i);
      await turn();
      expect(d.waiting()).toBeLessThan(20 * 300);
    }
    while (d.waiting() > 0) await turn();
    expect(got[0]).toEqual(Array.from({ length: 6_000 }, (_, i) => i));
  });
});
