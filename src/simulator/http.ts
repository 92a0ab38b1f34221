import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith('application/x-www-form-urlencoded');
}

/** Reads an `application/x-www-form-urlencoded` body; undefined for any other type. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!isForm(req)) return undefined;
  return new URLSearchParams(await readBody(req));
}

/** Reads a JSON object body; an empty body is `{}`. Throws on anything else. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SyntaxError('body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // RFC 6749 §5.1: token responses must not be cached.
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
  res.end(text);
}

/** An RFC 6749 §5.2 error answer. */
export function sendOAuthError(
  res: ServerResponse,
  status: number,
  error: string,
  description?: string,
): void {
  sendJson(res, status, description ? { error, error_description: description } : { error });
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Closes the connection without an answer: the client sees a network error. */
export function dropConnection(res: ServerResponse): void {
  res.socket?.destroy();
}
