import { type Clock, systemClock } from '../clock.js';
import { endSentence, UserError } from '../errors.js';
import type { ProviderDefinition } from '../providers/types.js';
import { retryDelayMs, sleepOrCancel } from './backoff.js';
import { deviceCodeAuth, type HttpOptions, sendOrTransient } from './oauth-client.js';

/** Who logged in, and the chat credential when user info carries it. */
export interface UserInfo {
  /** Empty when the account has none (iFlow accounts may be phone-only). */
  email: string;
  /** As the provider sends it: masked, `138****5678`. */
  phone?: string;
  /** The field named by `provider.auth.credential` (iFlow: `apiKey`). */
  credential?: string;
}

const ATTEMPTS = 3;

function failed(provider: ProviderDefinition, detail: string, cause?: unknown): UserError {
  return new UserError(
    'auth_failed',
    endSentence(`${provider.displayName} did not return the account's details: ${detail}`),
    'Run the same command again; if it keeps failing, see logs/ccs.log.',
    cause,
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Picks the identity and credential out of a user-info body. */
export function readUserInfo(provider: ProviderDefinition, body: unknown): UserInfo {
  const auth = deviceCodeAuth(provider);
  let data: unknown = body;
  if (auth.userInfo?.envelope === 'success-data') {
    const envelope = body as { success?: unknown; data?: unknown; message?: unknown } | null;
    if (envelope?.success !== true) {
      throw failed(provider, text(envelope?.message) ?? 'the answer says success: false');
    }
    data = envelope.data;
  }
  if (data === null || typeof data !== 'object') throw failed(provider, 'no account data');
  const fields = data as Record<string, unknown>;

  const info: UserInfo = { email: text(fields.email) ?? '' };
  const phone = text(fields.phone) ?? text(fields.phone_number);
  if (phone) info.phone = phone;
  if (auth.credential.from === 'userinfo') {
    const credential = text(fields[auth.credential.field]);
    if (!credential) throw failed(provider, `no ${auth.credential.field} in the answer`);
    info.credential = credential;
  }
  return info;
}

/**
 * Calls the provider's user-info endpoint with a fresh access token. iFlow
 * takes the token as `?accessToken=`; OIDC servers take a bearer header.
 * Network errors and 5xx are retried a few times; a provider without a
 * user-info endpoint yields an empty identity.
 */
export async function fetchUserInfo(
  provider: ProviderDefinition,
  accessToken: string,
  options: HttpOptions & { clock?: Clock; attempts?: number } = {},
): Promise<UserInfo> {
  const config = deviceCodeAuth(provider).userInfo;
  if (!config) return { email: '' };
  const clock = options.clock ?? systemClock;
  const url = new URL(config.url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.style === 'query-access-token') url.searchParams.set('accessToken', accessToken);
  else headers.authorization = `Bearer ${accessToken}`;
  const doFetch = options.fetch ?? fetch;
  // The body is read inside the request's timeout, and a connection cut while
  // reading it is a network failure like one cut before the headers.
  const send = async (signal: AbortSignal): Promise<Response> => {
    const response = await doFetch(url, { headers, signal });
    if (!response.ok) return response;
    const body = await response.arrayBuffer();
    return new Response(body, { status: response.status, headers: response.headers });
  };

  for (let attempt = 1; ; attempt++) {
    const sent = await sendOrTransient(options, send);
    if (sent.type === 'response') return readAnswer(provider, sent.response);
    if (attempt >= (options.attempts ?? ATTEMPTS)) throw failed(provider, sent.reason);
    await sleepOrCancel(clock, retryDelayMs(attempt), options.signal);
  }
}

/** The user info in an answer that is not worth retrying, or why there is none. */
async function readAnswer(provider: ProviderDefinition, response: Response): Promise<UserInfo> {
  if (!response.ok) {
    await response.body?.cancel();
    throw failed(provider, `HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw failed(provider, 'the answer is not JSON', error);
  }
  return readUserInfo(provider, body);
}
