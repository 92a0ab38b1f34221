import * as oauth from 'oauth4webapi';
import { UserError } from '../errors.js';
import { httpUrl } from './endpoint-url.js';
import type { DeviceCodeAuth, ProviderDefinition } from './types.js';

export interface DiscoveryOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

type Algorithm = 'oidc' | 'oauth2';

/** Where each kind of metadata lives for `issuer` (RFC 8414 §3.1, OIDC Discovery §4). */
function metadataUrl(issuer: URL, algorithm: Algorithm): string {
  if (algorithm === 'oidc') {
    return `${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
  }
  const path = issuer.pathname.replace(/\/$/, '');
  return `${issuer.origin}/.well-known/oauth-authorization-server${path}`;
}

async function fetchMetadata(
  issuer: URL,
  algorithm: Algorithm,
  options: DiscoveryOptions,
): Promise<oauth.AuthorizationServer> {
  const response = await oauth.discoveryRequest(issuer, {
    algorithm,
    // Company gateways in tests and on a LAN may be plain http.
    [oauth.allowInsecureRequests]: issuer.protocol === 'http:',
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // Checks that the document names exactly this issuer (RFC 8414 §3.3).
  return oauth.processDiscoveryResponse(issuer, response);
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // oauth4webapi keeps a refused answer as the cause; its status says more than its wording.
  if (error.cause instanceof Response && error.cause.status !== 200) {
    return `HTTP ${error.cause.status}`;
  }
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code ? `${error.message} (${code})` : error.message;
}

/**
 * Reads the issuer's metadata: OpenID Connect discovery first, then the
 * OAuth 2.0 authorization-server metadata (RFC 8414). The second is also
 * asked when the first answers without a device authorization endpoint,
 * since some servers publish RFC 8628's key in only one of the two.
 */
async function readMetadata(
  provider: ProviderDefinition,
  auth: DeviceCodeAuth & { issuer: string },
  options: DiscoveryOptions,
): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(auth.issuer);
  const problems: string[] = [];
  let found: oauth.AuthorizationServer | undefined;
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const metadata = await fetchMetadata(issuer, algorithm, options);
      found ??= metadata;
      if (metadata.device_authorization_endpoint) return metadata;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      problems.push(`${metadataUrl(issuer, algorithm)}: ${reasonOf(error)}`);
    }
  }
  if (found) return found;
  throw new UserError(
    'discovery_failed',
    `Could not read the OAuth metadata of ${auth.issuer} for ${provider.displayName} ` +
      `(${problems.join('; ')}).`,
    `Check providers.${provider.id}.issuer in config.yaml (it must equal the metadata's ` +
      '`issuer` exactly, trailing slash included), or set the endpoints explicitly.',
  );
}

/** Metadata read with the real fetch, per issuer: refreshes and launch checks reuse it. */
const remembered = new Map<string, { at: number; metadata: oauth.AuthorizationServer }>();
/** Metadata rarely changes; a long session still reads it again now and then. */
const REMEMBER_MS = 60 * 60_000;

async function metadataFor(
  provider: ProviderDefinition,
  auth: DeviceCodeAuth & { issuer: string },
  options: DiscoveryOptions,
): Promise<oauth.AuthorizationServer> {
  // An injected fetch (tests) may answer differently each time: never cached.
  if (options.fetch) return readMetadata(provider, auth, options);
  const known = remembered.get(auth.issuer);
  if (known && Date.now() - known.at < REMEMBER_MS) return known.metadata;
  const metadata = await readMetadata(provider, auth, options);
  // Metadata without the device endpoint may come of a second document that
  // failed for a moment: not worth an hour of refused logins.
  if (metadata.device_authorization_endpoint) {
    remembered.set(auth.issuer, { at: Date.now(), metadata });
  }
  return metadata;
}

/**
 * Scopes to ask for when the definition names none: of `openid email
 * offline_access`, those the server says it supports. Without them an OIDC
 * server gives no e-mail to name the account by and no refresh token, and
 * asking for one it does not support would be refused (invalid_scope).
 */
const DEFAULT_SCOPES = ['openid', 'email', 'offline_access'];

function defaultScope(metadata: oauth.AuthorizationServer): string | undefined {
  const supported = metadata.scopes_supported;
  if (!Array.isArray(supported)) return undefined;
  const scopes = DEFAULT_SCOPES.filter((scope) => supported.includes(scope));
  return scopes.length > 0 ? scopes.join(' ') : undefined;
}

/**
 * Fills the device-code endpoints of a provider defined by its `issuer`
 * from the issuer's metadata. Explicit endpoints win; so does an explicit
 * `scope`, else the scope comes from what the metadata supports.
 */
export async function discoverEndpoints(
  provider: ProviderDefinition,
  options: DiscoveryOptions = {},
): Promise<ProviderDefinition> {
  const auth = provider.auth;
  if (auth.kind !== 'device-code' || !auth.issuer) return provider;
  const complete = auth.deviceAuthorizationEndpoint && auth.tokenEndpoint && auth.userInfo;
  if (complete && auth.scope !== undefined) return provider;

  const metadata = await metadataFor(provider, { ...auth, issuer: auth.issuer }, options);
  const deviceEndpoint = auth.deviceAuthorizationEndpoint || metadata.device_authorization_endpoint;
  const tokenEndpoint = auth.tokenEndpoint || metadata.token_endpoint;
  if (!deviceEndpoint || !tokenEndpoint) {
    throw new UserError(
      'no_device_flow',
      `${auth.issuer} does not offer the device authorization grant.`,
      `Enable it for client ${auth.clientId}, or set ` +
        `providers.${provider.id}.device_authorization_endpoint.`,
    );
  }
  const userInfoUrl = auth.userInfo?.url ?? metadata.userinfo_endpoint;
  if (!userInfoUrl && auth.credential.from === 'userinfo') {
    throw new UserError(
      'no_userinfo',
      `${auth.issuer} publishes no userinfo_endpoint, which credential: ` +
        `userinfo:${auth.credential.field} needs.`,
      `Set providers.${provider.id}.userinfo_endpoint, or use credential: access_token.`,
    );
  }
  for (const [key, url] of [
    ['device_authorization_endpoint', deviceEndpoint],
    ['token_endpoint', tokenEndpoint],
    ['userinfo_endpoint', userInfoUrl],
  ] as const) {
    if (url === undefined || httpUrl.safeParse(url).success) continue;
    throw new UserError(
      'discovery_failed',
      `${auth.issuer}'s metadata gives ${key} ${JSON.stringify(url)}, not an http(s) URL.`,
      `Set providers.${provider.id}.${key} in config.yaml to the right address.`,
    );
  }
  const scope = auth.scope ?? defaultScope(metadata);
  const discovered: DeviceCodeAuth = {
    ...auth,
    ...(scope ? { scope } : {}),
    deviceAuthorizationEndpoint: deviceEndpoint,
    tokenEndpoint,
    ...(userInfoUrl ? { userInfo: auth.userInfo ?? { url: userInfoUrl, style: 'bearer' } } : {}),
  };
  return { ...provider, auth: discovered };
}
