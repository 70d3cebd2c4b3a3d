import { describe, expect, it } from 'vitest';
import { topics } from '../../src/state/topics.js';
import { useEngine } from '../utils/contract.js';
import { engineNames, testConfig } from '../utils/engines.js';

describe.each(engineNames)('room relay contract (%s engine)', (engine) => {
  const engineState = useEngine(engine);
  const alert = (extra: Record<string, unknown> = {}) => ({ type: 'ALERT', roomId: 'r1', userId: 'u1', alertCount: 1, ...extra });

  it('relays a retried event with the same eventId once, and answers the first relay to every retry', async () => {
    const { service, watch, clock, bus } = await engineState.setup();
    const room = await watch(bus.subscribe([topics.room('r1')]));
    const first = await service.publishRoomEvent(alert({ eventId: 'e1' }));
    clock.advance(1_000);
    const retry = await service.publishRoomEvent(alert({ eventId: 'e1' }));
    expect(retry).toEqual(first);
    await service.publishRoomEvent(alert({ eventId: 'e2' }));
    // Without an eventId nothing is remembered: each call is relayed.
    await service.publishRoomEvent(alert());
    await service.publishRoomEvent(alert());
    // The same id in another room is another event.
    await service.publishRoomEvent(alert({ roomId: 'r2', eventId: 'e1' }));
    expect(await room.settle(100)).toHaveLength(4);
    expect((await room.take(1))[0]).toEqual(first);
  });

  it('relays an eventId again once its record has expired (TOMBSTONE_SECONDS)', async () => {
    const { service, watch, clock, bus } = await engineState.setup({ reliability: { ...testConfig().reliability, tombstoneSeconds: 1 } });
    const room = await watch(bus.subscribe([topics.room('r1')]));
    await service.publishRoomEvent(alert({ eventId: 'e1' }));
    if (engine !== 'memory') await new Promise((r) => setTimeout(r, 1_100)); // Redis expires by its own clock
    clock.advance(1_100);
    await service.publishRoomEvent(alert({ eventId: 'e1' }));
    expect(await room.settle(100)).toHaveLength(2);
  });

  it('refuses a malformed eventId with BAD_USER_INPUT', async () => {
    const { service } = await engineState.setup();
    await expect(service.publishRoomEvent(alert({ eventId: '' }))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });
});
