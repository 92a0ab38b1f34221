import * as oauth from 'oauth4webapi';
import { type Clock, systemClock } from '../clock.js';
import { endSentence, UserError } from '../errors.js';
import type { ProviderDefinition } from '../providers/types.js';
import { retryDelayMs, sleepOrCancel } from './backoff.js';
import {
  authorizationServer,
  deviceCodeAuth,
  envelopeFailure,
  type HttpOptions,
  oauthClient,
  requestOptions,
  sendOrTransient,
  type TokenSet,
  tokenRequest,
} from './oauth-client.js';

export type { TokenSet } from './oauth-client.js';

/** RFC 8628 §3.2, with the lifetime turned into a point in time. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Epoch ms after which the code is no good. */
  expiresAt: number;
  intervalSec: number;
}

export type PollStatus =
  | { type: 'waiting' }
  | { type: 'slow_down'; intervalSec: number }
  | { type: 'retrying'; reason: string; inMs: number };

export interface PollOptions extends HttpOptions {
  clock?: Clock;
  onStatus?: (status: PollStatus) => void;
}

/** RFC 8628 §3.2: the interval when the server names none. */
const DEFAULT_INTERVAL_SEC = 5;
/** RFC 8628 §3.5: `slow_down` adds this to the interval. */
const SLOW_DOWN_STEP_SEC = 5;
/** Consecutive network/5xx failures tolerated before giving up. */
export const MAX_TRANSIENT_FAILURES = 6;
/** Attempts at the device-authorization request itself. */
const DEVICE_CODE_ATTEMPTS = 3;

export function expiredError(): UserError {
  return new UserError(
    'expired_token',
    'Device code expired before authorization.',
    'Run the same command again for a new code.',
  );
}

/** Names the URL that failed: it may come from the environment, config.yaml or a default. */
function unreachable(provider: ProviderDefinition, reason: string, url: string): UserError {
  return new UserError(
    'auth_server',
    `${provider.displayName}'s login server did not answer at ${url} (${reason}).`,
    'Check your network connection and that URL, then run the same command again.',
  );
}

type Attempt =
  | { type: 'done'; authorization: DeviceAuthorization }
  | { type: 'transient'; reason: string };

async function attemptDeviceCode(
  provider: ProviderDefinition,
  options: HttpOptions,
  clock: Clock,
): Promise<Attempt> {
  const auth = deviceCodeAuth(provider);
  const as = authorizationServer(provider);
  const client = oauthClient(provider);
  const parameters: Record<string, string> = auth.scope ? { scope: auth.scope } : {};

  const sent = await sendOrTransient(options, (signal) =>
    oauth.deviceAuthorizationRequest(
      as,
      client,
      oauth.None(),
      parameters,
      requestOptions(auth.deviceAuthorizationEndpoint, options, signal),
    ),
  );
  if (sent.type === 'transient') return sent;
  const { response } = sent;
  const refusal = auth.successFalseIsError ? await envelopeFailure(response) : undefined;
  if (refusal !== undefined) {
    throw new UserError(
      'auth_failed',
      `${provider.displayName} refused to start a login: ${refusal}`,
      'Try again in a minute.',
    );
  }

  try {
    const answer = await oauth.processDeviceAuthorizationResponse(as, client, response);
    return {
      type: 'done',
      authorization: {
        deviceCode: answer.device_code,
        userCode: answer.user_code,
        verificationUri: answer.verification_uri,
        ...(answer.verification_uri_complete
          ? { verificationUriComplete: answer.verification_uri_complete }
          : {}),
        expiresAt: clock.now() + answer.expires_in * 1000,
        intervalSec: answer.interval ?? DEFAULT_INTERVAL_SEC,
      },
    };
  } catch (error) {
    const detail =
      error instanceof oauth.ResponseBodyError
        ? `${error.error}${error.error_description ? ` (${error.error_description})` : ''}`
        : (error as Error).message;
    throw new UserError(
      'auth_failed',
      endSentence(`${provider.displayName} refused to start a login: ${detail}`),
      'Check the client id and auth URL; see logs/ccs.log for details.',
      error,
    );
  }
}

/** RFC 8628 §3.1-3.2: asks for a device code and a user code. */
export async function requestDeviceCode(
  provider: ProviderDefinition,
  options: HttpOptions & { clock?: Clock } = {},
): Promise<DeviceAuthorization> {
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptDeviceCode(provider, options, clock);
    if (result.type === 'done') return result.authorization;
    if (attempt >= DEVICE_CODE_ATTEMPTS) {
      throw unreachable(
        provider,
        result.reason,
        deviceCodeAuth(provider).deviceAuthorizationEndpoint,
      );
    }
    await sleepOrCancel(clock, retryDelayMs(attempt), options.signal);
  }
}

/**
 * RFC 8628 §3.4-3.5: polls the token endpoint until the user approves,
 * denies, or the code expires. Waits `interval` before each poll, adds 5 s on
 * `slow_down`, retries network errors and 5xx with backoff (bounded), stops
 * by itself at `expiresAt`, and ends at once when `signal` fires.
 */
export async function pollForToken(
  provider: ProviderDefinition,
  authorization: DeviceAuthorization,
  options: PollOptions = {},
): Promise<TokenSet> {
  const clock = options.clock ?? systemClock;
  const as = authorizationServer(provider);
  const client = oauthClient(provider);
  const endpoint = deviceCodeAuth(provider).tokenEndpoint;
  let intervalSec = Math.max(1, authorization.intervalSec);
  let waitMs = intervalSec * 1000;
  let failures = 0;
  let lastFailure = '';

  for (;;) {
    const left = authorization.expiresAt - clock.now();
    if (left <= 0) throw expiredError();
    await sleepOrCancel(clock, Math.min(waitMs, left), options.signal);
    if (clock.now() >= authorization.expiresAt) throw expiredError();

    const answer = await tokenRequest(
      provider,
      options,
      (signal) =>
        oauth.deviceCodeGrantRequest(
          as,
          client,
          oauth.None(),
          authorization.deviceCode,
          requestOptions(endpoint, options, signal),
        ),
      (response) => oauth.processDeviceCodeResponse(as, client, response),
    );
    waitMs = intervalSec * 1000;

    switch (answer.type) {
      case 'tokens':
        return answer.tokens;
      case 'transient': {
        failures++;
        lastFailure = answer.reason;
        if (failures >= MAX_TRANSIENT_FAILURES) {
          throw unreachable(provider, lastFailure, deviceCodeAuth(provider).tokenEndpoint);
        }
        waitMs = Math.max(waitMs, retryDelayMs(failures));
        options.onStatus?.({ type: 'retrying', reason: answer.reason, inMs: waitMs });
        continue;
      }
      case 'refused':
        throw new UserError(
          'auth_failed',
          `${provider.displayName} refused the login: ${answer.message}`,
          'Run the same command again.',
        );
      case 'oauth-error':
        failures = 0;
        if (answer.error === 'authorization_pending') {
          options.onStatus?.({ type: 'waiting' });
          continue;
        }
        if (answer.error === 'slow_down') {
          intervalSec += SLOW_DOWN_STEP_SEC;
          waitMs = intervalSec * 1000;
          options.onStatus?.({ type: 'slow_down', intervalSec });
          continue;
        }
        if (answer.error === 'expired_token') throw expiredError();
        if (answer.error === 'access_denied') {
          throw new UserError(
            'access_denied',
            `The login was denied in the browser; no ${provider.displayName} account was added.`,
            'Run the same command again to try once more.',
          );
        }
        throw new UserError(
          'auth_failed',
          `${provider.displayName} refused the login: ${answer.error}` +
            `${answer.description ? ` (${answer.description})` : ''}.`,
          'Run the same command again for a new code.',
        );
    }
  }
}
