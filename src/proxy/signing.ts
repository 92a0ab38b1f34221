import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ProviderDefinition } from '../providers/types.js';

/** The user agent iFlow's signature covers; its CLI sent exactly this. */
export const IFLOW_USER_AGENT = 'iFlow-Cli';

export interface SignatureInput {
  apiKey: string;
  sessionId: string;
  timestamp: number | string;
}

/** hex(HMAC-SHA256(key = api key, "iFlow-Cli:<session-id>:<timestamp>")). */
export function iflowSignature({ apiKey, sessionId, timestamp }: SignatureInput): string {
  return createHmac('sha256', apiKey)
    .update(`${IFLOW_USER_AGENT}:${sessionId}:${timestamp}`)
    .digest('hex');
}

/**
 * The headers a provider's signing scheme adds to one chat request. A session
 * id may be passed so one conversation keeps one upstream session.
 */
export function signingHeaders(
  provider: Pick<ProviderDefinition, 'signing'>,
  apiKey: string,
  opts: { now: number; sessionId?: string },
): Record<string, string> {
  if (provider.signing !== 'iflow-hmac') return {};
  const sessionId = opts.sessionId ?? `session-${randomUUID()}`;
  const timestamp = opts.now;
  return {
    'user-agent': IFLOW_USER_AGENT,
    'session-id': sessionId,
    'x-iflow-timestamp': String(timestamp),
    'x-iflow-signature': iflowSignature({ apiKey, sessionId, timestamp }),
  };
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'bad-timestamp' | 'bad-signature' };

type HeaderBag = Record<string, string | string[] | undefined>;

function one(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Verifies iFlow's signature headers on a received request (the simulator's side). */
export function verifyIflowSignature(headers: HeaderBag, apiKey: string): SignatureCheck {
  const sessionId = one(headers, 'session-id');
  const timestamp = one(headers, 'x-iflow-timestamp');
  const signature = one(headers, 'x-iflow-signature');
  if (!sessionId || !timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };

  const expected = Buffer.from(iflowSignature({ apiKey, sessionId, timestamp }), 'utf8');
  const got = Buffer.from(signature.toLowerCase(), 'utf8');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  return { ok: true };
}
