import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTokenFile } from '../../src/accounts/token-store.js';
import { credentialFor, refreshAccount } from '../../src/auth/refresh.js';
import type { CcsPaths } from '../../src/home.js';
import { definitionFromEntry } from '../../src/providers/config-providers.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { logInThroughPages, type OidcServer, startOidcServer } from '../providers/oidc-server.js';
import { FakeClock } from './fake-clock.js';
import { tempHome } from './helpers.js';

// The same login and refresh code against a certified OAuth server
// (oidc-provider), found through its metadata: the generic device-code kind.
let oidc: OidcServer;
let provider: ProviderDefinition;
let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  oidc = await startOidcServer();
  provider = definitionFromEntry(
    'corp',
    {
      kind: 'device-code',
      issuer: oidc.issuer,
      client_id: oidc.clientId,
      scope: 'openid email offline_access',
      api_url: 'http://127.0.0.1:9/v1',
      models: ['corp-model'],
    },
    'config.yaml',
  );
  ({ paths, cleanup } = await tempHome());
});

afterAll(async () => {
  await oidc?.close();
  await cleanup?.();
});

describe('device-code login against an OpenID Connect server', () => {
  it('logs in through the server pages, then refreshes', async () => {
    const clock = new FakeClock(Date.now());
    // Approved while the client waits out its first interval, then it polls.
    const { account, created } = await logInThroughPages({
      oidc,
      provider,
      paths,
      clock,
      login: 'alice',
    });
    expect(created).toBe(true);
    expect(account).toMatchObject({ id: 'alice@example.test', nickname: 'alice' });
    const tokens = (await readTokenFile(account.tokenPath))!;
    expect(tokens.type).toBe('corp');
    expect(tokens.refresh_token).not.toBe('');
    expect(credentialFor(provider, tokens)).toBe(tokens.access_token);

    const outcome = await refreshAccount({ provider, paths, account, clock, force: true });
    expect(outcome.type).toBe('refreshed');
    const after = (await readTokenFile(account.tokenPath))!;
    expect(after.access_token).not.toBe(tokens.access_token);
  });
});
