import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONSOLE_PATH = '/console';

const asset = (file: string) => readFileSync(new URL(`./console/${file}`, import.meta.url));
// Read once: three small files, served as they are.
const files: Record<string, { body: Buffer; type: string }> = {
  [CONSOLE_PATH]: { body: asset('page.html'), type: 'text/html; charset=utf-8' },
  [`${CONSOLE_PATH}/console.js`]: { body: asset('console.js'), type: 'text/javascript; charset=utf-8' },
  [`${CONSOLE_PATH}/console.css`]: { body: asset('console.css'), type: 'text/css; charset=utf-8' },
};

/** Whether a GET is for the console. */
export const isConsolePath = (url: string | undefined) => url !== undefined && Object.hasOwn(files, url.split('?')[0]!);

/**
 * The operator console: a static page that reads the server's own GraphQL
 * API and /metrics from the browser. The page holds no data; with auth on,
 * what it shows needs the service token typed into it (nodeLeases and
 * /metrics are for services), so it is served to anyone like GraphiQL's shell.
 */
export function serveConsole(req: IncomingMessage, res: ServerResponse) {
  const file = files[req.url!.split('?')[0]!]!;
  res.writeHead(200, {
    'content-type': file.type,
    'content-length': file.body.length,
    'cache-control': 'no-cache',
    // Everything from this server, nothing inline, no framing.
    'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}
