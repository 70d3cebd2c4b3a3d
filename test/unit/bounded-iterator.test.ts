import { describe, expect, it } from 'vitest';
import { createBoundedIterator } from '../../src/pubsub/bounded-iterator.js';

describe('bounded iterator', () => {
  it('hands values to waiting readers and queued values in order', async () => {
    const it = createBoundedIterator<number>(10, () => {});
    const first = it.next();
    it.push(1);
    it.push(2);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await it.next()).toEqual({ value: 2, done: false });
  });

  it('cuts off a consumer that falls more than the limit behind with RATE_LIMITED', async () => {
    let closed = 0;
    const it = createBoundedIterator<number>(2, () => closed++);
    it.push(1);
    it.push(2);
    it.push(3);
    await expect(it.next()).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(closed).toBe(1);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('releases its subscription once on return and ends pending reads', async () => {
    let closed = 0;
    const it = createBoundedIterator<number>(2, () => closed++);
    const pending = it.next();
    await it.return!();
    await it.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
    it.push(1);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('hands values straight to a consumer, queued ones first, and tells it when it ends', async () => {
    let closed = 0;
    const it = createBoundedIterator<number>(10, () => closed++);
    it.push(1);
    const seen: number[] = [];
    let ended = 0;
    it.consume({ onValue: (v) => seen.push(v), onEnd: () => ended++ });
    it.push(2);
    it.push(3);
    expect(seen).toEqual([1, 2, 3]);
    await it.return!();
    it.push(4);
    expect(seen).toEqual([1, 2, 3]);
    expect([closed, ended]).toEqual([1, 1]);
  });
});
