import * as oauth from 'oauth4webapi';
import { UserError } from '../errors.js';
import type { DeviceCodeAuth, ProviderDefinition } from './types.js';

export interface DiscoveryOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

async function fetchMetadata(
  issuer: URL,
  algorithm: 'oidc' | 'oauth2',
  options: DiscoveryOptions,
): Promise<oauth.AuthorizationServer> {
  const response = await oauth.discoveryRequest(issuer, {
    algorithm,
    // Company gateways in tests and on a LAN may be plain http.
    [oauth.allowInsecureRequests]: issuer.protocol === 'http:',
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

/**
 * Fills the device-code endpoints of a provider defined by its `issuer`,
 * from its OpenID Connect metadata or, failing that, its OAuth 2.0
 * authorization-server metadata (RFC 8414). Explicit endpoints win.
 */
export async function discoverEndpoints(
  provider: ProviderDefinition,
  options: DiscoveryOptions = {},
): Promise<ProviderDefinition> {
  const auth = provider.auth;
  if (auth.kind !== 'device-code' || !auth.issuer) return provider;
  if (auth.deviceAuthorizationEndpoint && auth.tokenEndpoint && auth.userInfo) return provider;

  const issuer = new URL(auth.issuer);
  let metadata: oauth.AuthorizationServer;
  try {
    metadata = await fetchMetadata(issuer, 'oidc', options).catch(() =>
      fetchMetadata(issuer, 'oauth2', options),
    );
  } catch (error) {
    throw new UserError(
      'discovery_failed',
      `Could not read the OAuth metadata of ${auth.issuer} for ${provider.displayName}.`,
      `Check providers.${provider.id}.issuer in config.yaml, or set the endpoints explicitly.`,
      error,
    );
  }

  const deviceEndpoint = auth.deviceAuthorizationEndpoint || metadata.device_authorization_endpoint;
  const tokenEndpoint = auth.tokenEndpoint || metadata.token_endpoint;
  if (!deviceEndpoint || !tokenEndpoint) {
    throw new UserError(
      'no_device_flow',
      `${auth.issuer} does not offer the device authorization grant.`,
      `Enable it for client ${auth.clientId}, or set providers.${provider.id}.device_authorization_endpoint.`,
    );
  }
  const userInfoUrl = auth.userInfo?.url ?? metadata.userinfo_endpoint;
  const discovered: DeviceCodeAuth = {
    ...auth,
    deviceAuthorizationEndpoint: deviceEndpoint,
    tokenEndpoint,
    ...(userInfoUrl ? { userInfo: auth.userInfo ?? { url: userInfoUrl, style: 'bearer' } } : {}),
  };
  return { ...provider, auth: discovered };
}
