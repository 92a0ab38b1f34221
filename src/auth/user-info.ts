import { type Clock, systemClock } from '../clock.js';
import { CancelledError, endSentence, UserError } from '../errors.js';
import type { ProviderDefinition } from '../providers/types.js';
import { retryDelayMs, sleepOrCancel } from './backoff.js';
import {
  deviceCodeAuth,
  type HttpOptions,
  isTransientStatus,
  networkReason,
  withRequestSignal,
} from './oauth-client.js';

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

  for (let attempt = 1; ; attempt++) {
    let reason: string;
    try {
      const response = await withRequestSignal(options, (signal) =>
        doFetch(url, { headers, signal }),
      );
      if (response.ok) return readUserInfo(provider, await response.json());
      await response.body?.cancel();
      if (!isTransientStatus(response.status)) throw failed(provider, `HTTP ${response.status}`);
      reason = `HTTP ${response.status}`;
    } catch (error) {
      if (error instanceof UserError || error instanceof CancelledError) throw error;
      if (error instanceof SyntaxError) throw failed(provider, 'the answer is not JSON', error);
      const network = networkReason(error);
      if (!network) throw error;
      reason = network;
    }
    if (attempt >= (options.attempts ?? ATTEMPTS)) throw failed(provider, reason);
    await sleepOrCancel(clock, retryDelayMs(attempt), options.signal);
  }
}
