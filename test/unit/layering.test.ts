import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

/** Every module of src/ and the src/ modules it imports (type imports included), as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+'(\.[^']+)\.js'/g)].map((m) =>
      relative(SRC, resolve(dirname(file), `${m[1]}.ts`)),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

describe('module layering', () => {
  const graph = importGraph();

  it('keeps pubsub/ free of the state layer: the bus is generic, the state layer names its topics', () => {
    const upward = [...graph].flatMap(([from, to]) => (from.startsWith('pubsub/') ? to.filter((t) => t.startsWith('state/')).map((t) => `${from} → ${t}`) : []));
    expect(upward).toEqual([]);
  });

  it('has no import cycle anywhere in src/', () => {
    // The graph is read right (multi-line and type imports count).
    expect(graph.get('state/service.ts')).toEqual(expect.arrayContaining(['state/service/nodes.ts', 'state/service/contract.ts']));
    expect(graph.get('state/service/contract.ts')).toContain('state/topics.ts');
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
