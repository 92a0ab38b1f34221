import * as oauth from 'oauth4webapi';
import { BugError, CancelledError, UserError } from '../errors.js';
import { getLogger } from '../log.js';
import type { DeviceCodeAuth, ProviderDefinition } from '../providers/types.js';

/**
 * The glue between ccs and oauth4webapi. oauth4webapi builds the RFC 8628 /
 * RFC 6749 requests (public client: form-encoded client_id, no secret) and
 * validates the answers; this module adds what iFlow needs on top: HTTP-200
 * `{"success": false}` bodies are read before the library's parser (which
 * would call them "missing access_token"), 5xx/429/network failures become
 * `transient` so callers can back off, and plain http is allowed because the
 * simulator and company gateways on a LAN are http.
 */

export interface HttpOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Per request; defaults to REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Access and refresh token as the token endpoint gave them (RFC 6749 §5.1). */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresInSec: number;
  tokenType: string;
  scope: string;
  /** Who logged in, from the ID token when the answer carried one (OIDC). */
  idClaims?: IdTokenIdentity;
}

/** The ID token claims ccs reads: only to name the account. */
export interface IdTokenIdentity {
  email: string;
}

export type TokenAnswer =
  | { type: 'tokens'; tokens: TokenSet }
  /** RFC 6749 §5.2 error (`authorization_pending`, `invalid_grant`, …). */
  | { type: 'oauth-error'; error: string; description?: string }
  /** iFlow's HTTP 200 `{"success": false, "message": …}`. */
  | { type: 'refused'; message: string }
  /** Worth retrying later: network error, timeout, 5xx or 429. */
  | { type: 'transient'; reason: string };

/** One request may take this long before it counts as a network failure. */
export const REQUEST_TIMEOUT_MS = 20_000;

/** Used when a token answer carries no `expires_in` (RFC 6749 makes it optional). */
const DEFAULT_EXPIRES_IN_SEC = 3600;

export function deviceCodeAuth(provider: ProviderDefinition): DeviceCodeAuth {
  if (provider.auth.kind !== 'device-code') {
    throw new BugError(`${provider.displayName} does not log in with a device code.`);
  }
  return provider.auth;
}

export function authorizationServer(provider: ProviderDefinition): oauth.AuthorizationServer {
  const auth = deviceCodeAuth(provider);
  return {
    issuer: auth.issuer ?? provider.authUrl ?? new URL(auth.tokenEndpoint).origin,
    device_authorization_endpoint: auth.deviceAuthorizationEndpoint,
    token_endpoint: auth.tokenEndpoint,
  };
}

export function oauthClient(provider: ProviderDefinition): oauth.Client {
  return { client_id: deviceCodeAuth(provider).clientId };
}

const warnedInsecure = new Set<string>();

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Options for an oauth4webapi request to `endpoint`, with a timeout folded in. */
export function requestOptions(endpoint: string, options: HttpOptions, signal: AbortSignal) {
  const url = new URL(endpoint);
  const insecure = url.protocol === 'http:';
  if (insecure && !isLoopback(url) && !warnedInsecure.has(url.origin)) {
    warnedInsecure.add(url.origin);
    getLogger().warn('auth: tokens travel over plain http', { origin: url.origin });
  }
  return {
    [oauth.allowInsecureRequests]: insecure,
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    signal,
  };
}

/**
 * Runs `send` with a signal that fires on the caller's abort or after the
 * timeout, clearing the timer either way. The caller's abort becomes a
 * CancelledError; a timeout is left for the caller to classify.
 */
async function withRequestSignal<T>(
  options: HttpOptions,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  if (options.signal?.aborted) throw new CancelledError();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('request timed out', 'TimeoutError')),
    timeoutMs,
  );
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await send(controller.signal);
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** A fetch failure (DNS, refused, reset, timeout) described in a few words. */
function networkReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'request timed out';
  if (error instanceof TypeError) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    return `network error (${cause?.code ?? cause?.message ?? error.message})`;
  }
  return undefined;
}

/** Status codes that say "try again later" rather than "no". */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * Sends one request under withRequestSignal. A network failure or a transient
 * status comes back as `transient` (its body dropped), to be retried; any
 * other answer as the response to read. A caller's abort still throws.
 */
export async function sendOrTransient(
  options: HttpOptions,
  send: (signal: AbortSignal) => Promise<Response>,
): Promise<{ type: 'response'; response: Response } | { type: 'transient'; reason: string }> {
  let response: Response;
  try {
    response = await withRequestSignal(options, send);
  } catch (error) {
    const reason = networkReason(error);
    if (reason) return { type: 'transient', reason };
    throw error;
  }
  if (isTransientStatus(response.status)) {
    await response.body?.cancel();
    return { type: 'transient', reason: `HTTP ${response.status}` };
  }
  return { type: 'response', response };
}

/** Reads `{"success": false, "message": …}` without consuming the response. */
export async function envelopeFailure(response: Response): Promise<string | undefined> {
  if (response.status !== 200) return undefined;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object' || !('success' in body)) return undefined;
  if ((body as { success: unknown }).success !== false) return undefined;
  const message = (body as { message?: unknown; msg?: unknown }).message;
  return typeof message === 'string' && message ? message : 'the server answered success: false';
}

function identityOf(claims: Record<string, unknown> | undefined): IdTokenIdentity | undefined {
  const email = claims?.email;
  if (typeof email !== 'string' || email.trim() === '') return undefined;
  return { email: email.trim() };
}

function toTokenSet(
  answer: oauth.TokenEndpointResponse,
  unverified: IdTokenIdentity | undefined,
): TokenSet {
  const idClaims = identityOf(oauth.getValidatedIdTokenClaims(answer)) ?? unverified;
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? '',
    expiresInSec: answer.expires_in ?? DEFAULT_EXPIRES_IN_SEC,
    tokenType: answer.token_type,
    scope: answer.scope ?? '',
    ...(idClaims ? { idClaims } : {}),
  };
}

/** The claims of a compact JWS, read without checking it; undefined when it is not one. */
function decodeJwtClaims(jwt: unknown): Record<string, unknown> | undefined {
  if (typeof jwt !== 'string') return undefined;
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A provider configured by explicit endpoints has no issuer to check an ID
 * token's `iss` against, and oauth4webapi would refuse every token answer
 * that carries one (Keycloak's `iss` is a realm URL, not the token
 * endpoint's origin). Such an answer goes to the library without its ID
 * token; the claims are read as they came, straight from the token endpoint
 * ccs called (OIDC Core §3.1.3.7 lets TLS stand in for the signature), and
 * serve only to name the account, never to grant anything.
 */
async function withoutUncheckableIdToken(
  provider: ProviderDefinition,
  response: Response,
): Promise<{ response: Response; claims?: IdTokenIdentity }> {
  if (deviceCodeAuth(provider).issuer || !response.ok) return { response };
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return { response };
  }
  if (!body || typeof body !== 'object' || !('id_token' in body)) return { response };
  const { id_token: idToken, ...rest } = body as Record<string, unknown>;
  await response.body?.cancel();
  const claims = identityOf(decodeJwtClaims(idToken));
  const stripped = new Response(JSON.stringify(rest), {
    status: response.status,
    headers: response.headers,
  });
  return { response: stripped, ...(claims ? { claims } : {}) };
}

/**
 * Sends one token-endpoint request and sorts the answer. Only a caller's
 * abort (CancelledError) and an answer nobody could use (auth_failed) throw.
 */
export async function tokenRequest(
  provider: ProviderDefinition,
  options: HttpOptions,
  send: (signal: AbortSignal) => Promise<Response>,
  process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
): Promise<TokenAnswer> {
  const sent = await sendOrTransient(options, send);
  if (sent.type === 'transient') return sent;
  let response = sent.response;
  if (deviceCodeAuth(provider).successFalseIsError) {
    const message = await envelopeFailure(response);
    if (message !== undefined) {
      await response.body?.cancel();
      return { type: 'refused', message };
    }
  }
  const checkable = await withoutUncheckableIdToken(provider, response);
  response = checkable.response;
  try {
    return { type: 'tokens', tokens: toTokenSet(await process(response), checkable.claims) };
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) {
      return {
        type: 'oauth-error',
        error: error.error,
        ...(error.error_description ? { description: error.error_description } : {}),
      };
    }
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      return { type: 'oauth-error', error: 'invalid_client' };
    }
    throw new UserError(
      'auth_failed',
      `${provider.displayName}'s token endpoint sent an answer ccs cannot use ` +
        `(HTTP ${response.status}: ${(error as Error).message}).`,
      'Check the auth URL; see logs/ccs.log for details.',
      error,
    );
  }
}
