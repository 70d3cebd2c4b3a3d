import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

const tooLarge = (res: ServerResponse, limit: number) => {
  if (res.headersSent) return;
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message: `request body exceeds ${limit} bytes`, extensions: { code: 'BAD_USER_INPUT' } }] }));
};

/**
 * Answers 413 for request bodies over `limit` bytes: at once when
 * Content-Length says so, or as soon as a chunked body passes it.
 */
export function limitBody(limit: number, handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      tooLarge(res, limit);
      req.resume();
      return;
    }
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        tooLarge(res, limit);
        req.destroy();
      }
    });
    handler(req, res);
  };
}
