import { type Account, assertNicknameFree, recordLogin } from '../accounts/registry.js';
import type { TokenFile } from '../accounts/schemas.js';
import { type Clock, systemClock } from '../clock.js';
import type { CcsPaths } from '../home.js';
import { getLogger } from '../log.js';
import { adoptPreset } from '../providers/adopt.js';
import { discoverEndpoints } from '../providers/discovery.js';
import type { ProviderDefinition } from '../providers/types.js';
import {
  type DeviceAuthorization,
  type PollStatus,
  pollForToken,
  requestDeviceCode,
} from './device-code.js';
import type { TokenSet } from './oauth-client.js';
import { fetchUserInfo, type UserInfo } from './user-info.js';

export type LoginEvent =
  | { type: 'code'; authorization: DeviceAuthorization }
  | { type: 'status'; status: PollStatus }
  | { type: 'user-info' };

export interface LoginOptions {
  provider: ProviderDefinition;
  paths: CcsPaths;
  /** Asked for with `--nickname` during `--auth`. */
  nickname?: string;
  signal?: AbortSignal;
  clock?: Clock;
  fetch?: typeof fetch;
  onEvent: (event: LoginEvent) => void;
}

type StoredTokens = Pick<
  TokenFile,
  'access_token' | 'refresh_token' | 'api_key' | 'expired' | 'last_refresh' | 'token_type' | 'scope'
>;

/**
 * The token-file fields for a token answer received at `now`: `expired` is
 * now + expires_in and `last_refresh` is now, both RFC 3339.
 */
export function storedTokens(tokens: TokenSet, apiKey: string, now: number): StoredTokens {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    api_key: apiKey,
    expired: new Date(now + tokens.expiresInSec * 1000).toISOString(),
    last_refresh: new Date(now).toISOString(),
    token_type: tokens.tokenType,
    scope: tokens.scope,
  };
}

/**
 * The whole device-code login (RFC 8628): request a code, report it, poll
 * until the user decides, read who logged in, and store the account. Logging
 * in as an identity that already exists updates it instead of adding one.
 */
export async function loginWithDeviceCode(
  options: LoginOptions,
): Promise<{ account: Account; created: boolean }> {
  const clock = options.clock ?? systemClock;
  const http = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const { nickname } = options;
  if (nickname) await assertNicknameFree(options.paths, options.provider.id, nickname);
  const provider = await discoverEndpoints(options.provider, http);

  const authorization = await requestDeviceCode(provider, { ...http, clock });
  options.onEvent({ type: 'code', authorization });

  const tokens = await pollForToken(provider, authorization, {
    ...http,
    clock,
    onStatus: (status) => options.onEvent({ type: 'status', status }),
  });
  options.onEvent({ type: 'user-info' });

  const info: UserInfo = await fetchUserInfo(provider, tokens.accessToken, { ...http, clock });
  // User info names the account; the ID token does where there is no user-info endpoint.
  const email = info.email || tokens.idClaims?.email || '';
  const now = clock.now();
  const result = await recordLogin(options.paths, provider.id, {
    identity: { email, ...(info.phone ? { phone: info.phone } : {}) },
    tokens: storedTokens(tokens, info.credential ?? '', now),
    ...(options.nickname ? { nickname: options.nickname } : {}),
    now: new Date(now),
    signal: options.signal,
  });
  await adoptPreset(options.paths, provider.id, { signal: options.signal });
  getLogger().info('login: account stored', {
    provider: provider.id,
    account: result.account.nickname,
    created: result.created,
  });
  return result;
}
