import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CcsPaths } from '../../src/home.js';
import { definitionFromEntry } from '../../src/providers/config-providers.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { FakeClock } from '../auth/fake-clock.js';
import { tempHome } from '../proxy/helpers.js';
import { logInThroughPages, type OidcServer, startOidcServer } from './oidc-server.js';

/*
 * A gateway configured by its endpoints alone, without a user-info endpoint,
 * mounted under a realm path as Keycloak is: the account's e-mail comes from
 * the ID token, whose `iss` (the realm URL) ccs has no issuer to check against.
 */

let oidc: OidcServer;
let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  oidc = await startOidcServer({ mountPath: '/realms/corp' });
  ({ paths, cleanup } = await tempHome());
});
afterAll(async () => {
  await oidc?.close();
  await cleanup?.();
});

function gateway(entry: Record<string, unknown>): ProviderDefinition {
  return definitionFromEntry(
    'corp',
    {
      kind: 'device-code',
      display_name: 'Corp gateway',
      client_id: oidc.clientId,
      scope: 'openid email offline_access',
      api_url: 'http://127.0.0.1:9/v1',
      models: ['corp-coder'],
      ...entry,
    },
    'config.yaml',
  );
}

function logIn(provider: ProviderDefinition, login: string) {
  const clock = new FakeClock(Date.now());
  return logInThroughPages({ oidc, provider, paths, clock, login }).then((r) => r.account);
}

describe('the account e-mail from the ID token', () => {
  it('explicit endpoints, no user-info endpoint: read from the token answer', async () => {
    const account = await logIn(
      gateway({
        device_authorization_endpoint: `${oidc.issuer}/device/auth`,
        token_endpoint: `${oidc.issuer}/token`,
      }),
      'dave',
    );
    expect(account.email).toBe('dave@example.test');
    expect(account.nickname).toBe('dave');
  });

  it('an issuer with a realm path: the ID token is checked by the library and read', async () => {
    const account = await logIn(gateway({ issuer: oidc.issuer }), 'erin');
    expect(account.email).toBe('erin@example.test');
  });
});
