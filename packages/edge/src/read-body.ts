/**
 * Reading a request body with a byte limit: a declared `Content-Length` past the limit is refused
 * before a byte is read, a streamed body as soon as it passes the limit. The rest of a refused
 * body is discarded (not parsed), so the connection stays usable for the next request.
 */
import type { IncomingMessage } from 'node:http';
import { EdgeError } from './edge-error.js';

/** The default body limit of the API and SCIM: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** "1 MiB", "512 KiB", "100 bytes": a limit as people read it. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

const tooLarge = (limit: number) =>
  new EdgeError(413, 'too_large', `the request body is larger than ${formatBytes(limit)}`);

/** True when the request announces a body (a length above 0, or chunked transfer). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * The body's bytes, at most `limit` of them; throws EdgeError 413 past the limit, 415 for a
 * `Content-Encoding` (compressed bodies are not accepted), 400 when the client aborts.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return Promise.reject(
      new EdgeError(415, 'unsupported_media_type', 'compressed request bodies are not accepted'),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Discard the rest unread (flowing with no listener), keeping the connection in step.
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new EdgeError(400, 'aborted', 'the request body could not be read'));
    };
    const onAborted = onError;
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
