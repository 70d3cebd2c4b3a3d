import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { until } from '../utils/collect.js';
import { redisUrl } from '../utils/engines.js';
import { CONNECT, PRESENCE } from '../utils/operations.js';
import { gql, useServers, type RunningServer } from '../utils/server.js';

const scrape = async (server: RunningServer) => (await fetch(`${server.base}/metrics`)).text();

/** The value of one sample, `0` when absent; `labels` must match exactly those given. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([\w:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

describe('/metrics', () => {
  const { start, wsClient, subscribe } = useServers();
  const engine = redisUrl ? 'redis' : 'memory';

  it('moves when operations run: operations by outcome, latencies, store calls, events, connections, maintenance', async () => {
    const server = await start(engine);
    const events = await subscribe(server, wsClient(server), PRESENCE, { guildId: 'g-metrics' });
    await gql(server.url, CONNECT, { input: { sessionId: 's-metrics', userId: 'u-metrics', guildIds: ['g-metrics'] } });
    await gql(server.url, CONNECT, { input: { sessionId: '', userId: 'u-metrics' } });
    await events.take(1);
    await until(async () => sample(await scrape(server), 'state_server_maintenance_runs_total', { outcome: 'ok' }) > 0, 5_000, 'a maintenance pass');
    const text = await scrape(server);

    const op = { operation: 'connectSession', kind: 'mutation' };
    expect(sample(text, 'state_server_operations_total', { ...op, outcome: 'ok' })).toBe(1);
    expect(sample(text, 'state_server_operations_total', { ...op, outcome: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(text, 'state_server_operations_total', { operation: 'presenceChanged', kind: 'subscription', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'state_server_operation_duration_seconds_count', op)).toBe(2);
    expect(sample(text, 'state_server_store_call_duration_seconds_count', { method: 'connectSession', engine })).toBe(1);
    expect(sample(text, 'state_server_events_received_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'state_server_events_delivered_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'state_server_connections', { transport: 'ws' })).toBe(1);
    expect(sample(text, 'state_server_subscriptions')).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // Bounded cardinality: no id a caller chose is a label value.
    expect(text).not.toMatch(/u-metrics|g-metrics|s-metrics/);
  });

  it('serves every metric the Grafana dashboard in docs/grafana queries', async () => {
    const server = await start(engine);
    // A failed store call and a cut subscription are not needed: a metric exists (its # TYPE line) before it moves.
    const text = await scrape(server);
    const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana/state-server.json', import.meta.url), 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:state_server|process|nodejs)_\w+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))));
    expect(names.size).toBeGreaterThan(10);
    const missing = [...names].filter((name) => !text.includes(`# TYPE ${name} `));
    expect(missing).toEqual([]);
  });
});
