import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { JsonDepthScanner, tooDeepMessage } from '../json-depth.js';

const answer = (res: ServerResponse, status: number, message: string) => {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] }));
};

/** Answers, then drops the rest of the body (once the answer is on its way, so the client gets it). */
const refuse = (req: IncomingMessage, res: ServerResponse, status: number, message: string) => {
  answer(res, status, message);
  res.once('finish', () => req.destroy());
};

export interface BodyLimits {
  /** Largest body in bytes: 413 beyond. */
  maxBytes: number;
  /** Deepest nesting of a JSON body: 400 beyond, before anything parses it. */
  maxJsonDepth: number;
}

/**
 * Watches every request body as it arrives: answers 413 for one over
 * `maxBytes` (at once when Content-Length says so, or as soon as a chunked
 * body passes it) and 400 for a JSON body nested deeper than `maxJsonDepth`,
 * so neither JSON.parse nor variable coercion ever sees it.
 */
export function limitBody({ maxBytes, maxJsonDepth }: BodyLimits, handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      answer(res, 413, `request body exceeds ${maxBytes} bytes`);
      req.resume();
      return;
    }
    let received = 0;
    const depth = req.headers['content-type']?.includes('json') ? new JsonDepthScanner(maxJsonDepth) : null;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        refuse(req, res, 413, `request body exceeds ${maxBytes} bytes`);
      } else if (depth && !res.headersSent && !depth.feed(chunk)) {
        refuse(req, res, 400, tooDeepMessage(maxJsonDepth));
      }
    });
    handler(req, res);
  };
}
