import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { discoverEndpoints } from '../../src/providers/discovery.js';
import { resolveProvider } from '../../src/providers/registry.js';
import { type OidcServer, startOidcServer } from './oidc-server.js';

let oidc: OidcServer;

beforeAll(async () => {
  oidc = await startOidcServer();
});

afterAll(async () => {
  await oidc.close();
});

function gateway(issuer: string) {
  const raw = {
    kind: 'device-code',
    issuer,
    client_id: oidc.clientId,
    scope: 'openid email offline_access',
    api_url: 'http://127.0.0.1:9/v1',
    models: ['m'],
  };
  return resolveProvider('gateway', { providers: { gateway: { raw } } }, {});
}

describe('discoverEndpoints', () => {
  it('reads the device-code endpoints from the issuer metadata', async () => {
    const provider = await discoverEndpoints(gateway(oidc.issuer));
    expect(provider.auth).toMatchObject({
      kind: 'device-code',
      deviceAuthorizationEndpoint: `${oidc.issuer}/device/auth`,
      tokenEndpoint: `${oidc.issuer}/token`,
      userInfo: { url: `${oidc.issuer}/me`, style: 'bearer' },
    });
  });

  it('says which issuer could not be read and what to check', async () => {
    const error = await discoverEndpoints(gateway('http://127.0.0.1:9/none')).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('http://127.0.0.1:9/none');
    expect(error.nextStep).toContain('providers.gateway.issuer');
  });
});
