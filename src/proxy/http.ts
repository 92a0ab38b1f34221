import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Anthropic's limit for a Messages request body. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export function newRequestId(): string {
  return `req_ccs${randomBytes(10).toString('hex')}`;
}

/** A failure to answer as Anthropic's error envelope. */
export class ProxyHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'ProxyHttpError';
  }
}

export function errorBody(errorType: string, message: string, requestId: string): string {
  return JSON.stringify({
    type: 'error',
    error: { type: errorType, message },
    request_id: requestId,
  });
}

/** Sends an error envelope unless headers already went out. */
export function sendError(
  res: ServerResponse,
  requestId: string,
  error: ProxyHttpError,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = errorBody(error.errorType, error.message, requestId);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'request-id': requestId,
    ...extraHeaders,
  };
  if (error.retryAfterSec !== undefined) headers['retry-after'] = String(error.retryAfterSec);
  res.writeHead(error.status, headers);
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  requestId: string,
  status: number,
  value: unknown,
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'request-id': requestId,
  });
  res.end(body);
}

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

/**
 * Only loopback names may reach the proxy: a web page that rebinds its own
 * DNS name to 127.0.0.1 still sends its name in `Host`, and is refused.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host.trim());
}

/** The credential a client sent, from `x-api-key` or `Authorization: Bearer`. */
function presentedSecrets(req: IncomingMessage): string[] {
  const found: string[] = [];
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) found.push(apiKey.trim());
  const auth = req.headers.authorization;
  const bearer = auth?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer) found.push(bearer.trim());
  return found;
}

/** Constant-time comparison against the session secret. */
export function hasSecret(req: IncomingMessage, secret: Buffer): boolean {
  return presentedSecrets(req).some((candidate) => {
    const given = Buffer.from(candidate, 'utf8');
    return given.length === secret.length && timingSafeEqual(given, secret);
  });
}

/**
 * Reads a request body up to `limit` bytes. Past the limit it stops keeping
 * data and rejects with 413; the rest of the upload is discarded so the client
 * can still read the answer.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () =>
    new ProxyHttpError(
      413,
      'request_too_large',
      `Request body is larger than ${Math.round(limit / 1024 / 1024)} MB.`,
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
      failed = true;
    });
  });
}

/** Parses a JSON object body; anything else is a 400 the client can read. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProxyHttpError(
      400,
      'invalid_request_error',
      `Request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProxyHttpError(400, 'invalid_request_error', 'Request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
