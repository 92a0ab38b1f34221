import { Agent, type Dispatcher, request } from 'undici';
import type { ProviderDefinition } from '../providers/types.js';
import { signingHeaders } from './signing.js';
import { UpstreamError } from './translate/index.js';

/** Upstream answers larger than this (non-streaming or error bodies) are cut. */
const MAX_UPSTREAM_BODY = 64 * 1024 * 1024;

/**
 * Keep-alive connections to the provider. One agent per proxy; undici keeps a
 * pool per origin inside it.
 */
export function createUpstreamAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 10 * 60_000,
    // Claude Code waits up to 10 min for an answer (API_TIMEOUT_MS).
    headersTimeout: 10 * 60_000,
    bodyTimeout: 5 * 60_000,
    connect: { timeout: 15_000 },
  });
}

export function chatCompletionsUrl(provider: ProviderDefinition): string {
  return `${provider.apiUrl.replace(/\/+$/, '')}/chat/completions`;
}

export interface UpstreamCall {
  url: string;
  apiKey: string;
  body: string;
  stream: boolean;
  /** Reused as the signed `session-id` so one conversation keeps one session. */
  sessionId: string | undefined;
  now: number;
  signal: AbortSignal;
  dispatcher: Dispatcher;
}

export type UpstreamResponse = Dispatcher.ResponseData;

/** Sends one chat request; connection failures become `network` UpstreamErrors. */
export async function callUpstream(
  provider: ProviderDefinition,
  call: UpstreamCall,
): Promise<UpstreamResponse> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: call.stream ? 'text/event-stream' : 'application/json',
    ...signingHeaders(provider, call.apiKey, {
      now: call.now,
      ...(call.sessionId ? { sessionId: call.sessionId } : {}),
    }),
  };
  if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`;
  try {
    return await request(call.url, {
      method: 'POST',
      headers,
      body: call.body,
      signal: call.signal,
      dispatcher: call.dispatcher,
    });
  } catch (error) {
    if (call.signal.aborted) throw error;
    throw networkError(provider, error);
  }
}

export function networkError(provider: ProviderDefinition, error: unknown): UpstreamError {
  const code = (error as { code?: string })?.code;
  const detail = code ? ` (${code})` : '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamError('timeout', `${provider.displayName} stopped answering${detail}.`);
  }
  return new UpstreamError(
    'network',
    `Could not reach ${provider.displayName} at ${provider.apiUrl}${detail}.`,
  );
}

/** Reads a whole upstream body as text, bounded. */
export async function readUpstreamText(
  body: UpstreamResponse['body'],
  limit = MAX_UPSTREAM_BODY,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      break;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** iFlow's session-id format, derived from Claude Code's session id when it sent one. */
export function upstreamSessionId(
  claudeSessionId: string | string[] | undefined,
): string | undefined {
  const id = headerValue(claudeSessionId);
  if (!id || !/^[A-Za-z0-9-]{8,64}$/.test(id)) return undefined;
  return `session-${id}`;
}
