import * as oauth from 'oauth4webapi';
import type { Account } from '../accounts/registry.js';
import type { TokenFile } from '../accounts/schemas.js';
import { readTokenFile, updateTokenFile } from '../accounts/token-store.js';
import { type Clock, systemClock } from '../clock.js';
import { CancelledError, UserError } from '../errors.js';
import type { CcsPaths } from '../home.js';
import { getLogger } from '../log.js';
import { discoverEndpoints } from '../providers/discovery.js';
import type { ProviderDefinition } from '../providers/types.js';
import { storedTokens } from './login.js';
import {
  authorizationServer,
  deviceCodeAuth,
  type HttpOptions,
  oauthClient,
  requestOptions,
  type TokenAnswer,
  tokenRequest,
} from './oauth-client.js';
import { fetchUserInfo } from './user-info.js';

export type RefreshOutcome =
  | { type: 'refreshed'; tokens: TokenFile }
  /** Nothing to do: not due yet, or another process refreshed it first. */
  | { type: 'fresh'; tokens: TokenFile }
  | { type: 'needs-login'; reason: string }
  | { type: 'failed'; error: Error };

export interface RefreshOptions {
  provider: ProviderDefinition;
  paths: CcsPaths;
  account: Account;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Refresh even when not due (the proxy after a 401). */
  force?: boolean;
  /**
   * Ctrl-C of the command waiting on this refresh: the refresh then throws
   * CancelledError instead of reporting an outcome.
   */
  signal?: AbortSignal;
}

const HOUR_MS = 3600_000;
/**
 * Both requests of a refresh run while the token file's lock is held, and a
 * lock older than 30 s may be taken over: keep the exchange well inside it.
 */
const LOCKED_REQUEST_TIMEOUT_MS = 10_000;
/** Tokens living at least twice this long are refreshed this long before expiry. */
const REFRESH_AHEAD_MS = 24 * HOUR_MS;

/** The chat API credential of an account: `api_key` or `access_token`, per provider. */
export function credentialFor(provider: ProviderDefinition, tokens: TokenFile): string {
  const auth = provider.auth;
  if (auth.kind === 'device-code' && auth.credential.from === 'access_token') {
    return tokens.access_token;
  }
  return tokens.api_key;
}

/**
 * When a token should be refreshed: 24 h before `expired`, or half-way
 * through its life when it lives less than 48 h (so a one-hour token is
 * refreshed after 30 minutes rather than at once).
 */
export function refreshDueAt(tokens: Pick<TokenFile, 'expired' | 'last_refresh'>): number {
  const expires = Date.parse(tokens.expired);
  const lifetime = Math.max(0, expires - Date.parse(tokens.last_refresh));
  if (lifetime >= 2 * REFRESH_AHEAD_MS) return expires - REFRESH_AHEAD_MS;
  return expires - lifetime / 2;
}

/** Errors of the token endpoint that mean this refresh token will never work again. */
const REFUSALS = new Set(['invalid_grant', 'invalid_token', 'unauthorized_client']);

/** The HTTP options of the requests made while the token file is locked. */
function lockedHttp(options: RefreshOptions): HttpOptions {
  return {
    timeoutMs: LOCKED_REQUEST_TIMEOUT_MS,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function sendRefresh(
  provider: ProviderDefinition,
  refreshToken: string,
  http: HttpOptions,
): Promise<TokenAnswer> {
  const as = authorizationServer(provider);
  const client = oauthClient(provider);
  const endpoint = deviceCodeAuth(provider).tokenEndpoint;
  return tokenRequest(
    provider,
    http,
    (signal) =>
      oauth.refreshTokenGrantRequest(
        as,
        client,
        oauth.None(),
        refreshToken,
        requestOptions(endpoint, http, signal),
      ),
    (response) => oauth.processRefreshTokenResponse(as, client, response),
  );
}

/** The new token file after a successful refresh, with user info read again. */
async function refreshedFile(
  provider: ProviderDefinition,
  current: TokenFile,
  answer: Extract<TokenAnswer, { type: 'tokens' }>,
  options: RefreshOptions,
  now: number,
): Promise<TokenFile> {
  let apiKey = current.api_key;
  let phone = current.phone;
  try {
    const info = await fetchUserInfo(provider, answer.tokens.accessToken, {
      attempts: 1,
      ...lockedHttp(options),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    apiKey = info.credential ?? apiKey;
    phone = info.phone ?? phone;
  } catch (error) {
    // The new refresh token must be saved whatever happens, Ctrl-C included:
    // the old one is spent. The old api key stays; a 401 on chat forces
    // another refresh.
    getLogger().warn('refresh: user info failed; kept the previous api key', {
      account: options.account.nickname,
      error,
    });
  }
  const stored = storedTokens(answer.tokens, apiKey, now);
  return {
    ...current,
    ...stored,
    // RFC 6749 §6: a server may keep the old refresh token.
    refresh_token: stored.refresh_token || current.refresh_token,
    ...(phone ? { phone } : {}),
    needs_login: false,
  };
}

/**
 * Refreshes one account's tokens if due (or when forced). Holds the token
 * file's lock for the whole exchange and re-reads the file inside it, so of
 * several processes racing for the same account exactly one spends the
 * refresh token; the others see its result and report `fresh`.
 */
export async function refreshAccount(options: RefreshOptions): Promise<RefreshOutcome> {
  const clock = options.clock ?? systemClock;
  const { account } = options;
  try {
    const before = await readTokenFile(account.tokenPath);
    if (!before) return { type: 'needs-login', reason: 'its token file is missing' };
    if (before.needs_login) return { type: 'needs-login', reason: 'a refresh was refused' };
    if (options.provider.auth.kind !== 'device-code') return { type: 'fresh', tokens: before };
    if (!before.refresh_token) return { type: 'needs-login', reason: 'it has no refresh token' };
    if (!options.force && clock.now() < refreshDueAt(before)) {
      return { type: 'fresh', tokens: before };
    }
    const provider = await discoverEndpoints(options.provider, {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });

    let outcome: RefreshOutcome = { type: 'fresh', tokens: before };
    const update = async (current: TokenFile | undefined) => {
      if (!current) {
        outcome = { type: 'needs-login', reason: 'its token file is missing' };
        return undefined;
      }
      if (current.needs_login) {
        outcome = { type: 'needs-login', reason: 'a refresh was refused' };
        return undefined;
      }
      if (current.refresh_token !== before.refresh_token || current.expired !== before.expired) {
        // Another process (or a new login) got there first.
        outcome = { type: 'fresh', tokens: current };
        return undefined;
      }

      const answer = await sendRefresh(provider, current.refresh_token, lockedHttp(options));
      if (answer.type === 'tokens') {
        const next = await refreshedFile(provider, current, answer, options, clock.now());
        outcome = { type: 'refreshed', tokens: next };
        return next;
      }
      if (answer.type === 'transient') {
        outcome = { type: 'failed', error: refreshError(provider, answer.reason) };
        return undefined;
      }
      if (answer.type === 'oauth-error' && !REFUSALS.has(answer.error)) {
        outcome = { type: 'failed', error: refreshError(provider, answer.error) };
        return undefined;
      }
      const reason = answer.type === 'refused' ? answer.message : answer.error;
      outcome = { type: 'needs-login', reason: `the refresh was refused (${reason})` };
      return { ...current, needs_login: true };
    };
    await updateTokenFile(
      account.tokenPath,
      update,
      options.signal ? { signal: options.signal } : {},
    );
    // Tokens that arrived before a Ctrl-C are saved above; the command still stops.
    if (options.signal?.aborted) throw new CancelledError();
    getLogger().info('refresh: done', { account: account.nickname, outcome: outcome.type });
    return outcome;
  } catch (error) {
    // An abort surfaces as AbortError from discovery or the lock and as
    // CancelledError from a request; the command expects the latter.
    if (options.signal?.aborted) throw new CancelledError();
    getLogger().warn('refresh: failed', { account: account.nickname, error });
    return { type: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
  }
}

function refreshError(provider: ProviderDefinition, reason: string): UserError {
  return new UserError(
    'refresh_failed',
    `Could not refresh the ${provider.displayName} token (${reason}).`,
    'ccs will try again shortly.',
  );
}
