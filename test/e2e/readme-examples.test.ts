import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gql, useServers } from '../utils/server.js';

/** The README's example operations in order, each block with the variables its first line gives. */
function readmeExamples() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Example operations'), readme.indexOf('\n## ', readme.indexOf('## Example operations') + 1));
  return [...section.matchAll(/```graphql\n# Variables: (.*)\n([\s\S]*?)\n```/g)].map((m) => ({
    query: m[2]!,
    variables: JSON.parse(m[1]!) as Record<string, unknown>,
  }));
}

describe('README example operations', () => {
  const { start, wsClient, subscribe } = useServers();

  it('each is one named operation, and followed in order they all succeed on a fresh server', async () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(8);
    const server = await start('memory');
    for (const { query, variables } of examples) {
      // One named operation per block: GraphiQL runs a pasted block whole.
      expect(query.match(/^(query|mutation|subscription) [A-Z]\w*\(/gm)).toHaveLength(1);
      if (query.startsWith('subscription')) {
        const events = await subscribe(server, wsClient(server), query, variables);
        const [first] = await events.take(1);
        expect(first?.errors).toBeUndefined();
        continue;
      }
      const answer = await gql(server.url, query, variables);
      expect({ query: query.split('(')[0], errors: answer.errors }).toEqual({ query: query.split('(')[0], errors: undefined });
    }
  });
});
