import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import { readTokenFile } from '../../src/accounts/token-store.js';
import { refreshAccount } from '../../src/auth/refresh.js';
import type { CcsPaths } from '../../src/home.js';
import { definitionFromEntry } from '../../src/providers/config-providers.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { startProxy } from '../../src/proxy/server.js';
import { FakeClock } from '../auth/fake-clock.js';
import {
  call,
  completeJson,
  type FakeUpstream,
  fakeUpstream,
  SECRET,
  tempHome,
} from '../proxy/helpers.js';
import { logInThroughPages, type OidcServer, startOidcServer } from './oidc-server.js';

/*
 * The device-code kind from end to end, the way a company gateway behind
 * Keycloak/Okta/Auth0 is used: endpoints discovered from the issuer's
 * metadata, the code approved through the server's own pages, a refresh,
 * then a chat through the proxy whose upstream must see the access token.
 */

let oidc: OidcServer;
let upstream: FakeUpstream;
let provider: ProviderDefinition;
let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  oidc = await startOidcServer();
  upstream = await fakeUpstream();
  provider = definitionFromEntry(
    'corp',
    {
      kind: 'device-code',
      display_name: 'Corp gateway',
      issuer: oidc.issuer,
      client_id: oidc.clientId,
      scope: 'openid email offline_access',
      api_url: upstream.apiUrl,
      default_model: 'corp-coder',
      models: [{ id: 'corp-coder', max_tokens: 4096 }],
    },
    'config.yaml',
  );
  ({ paths, cleanup } = await tempHome());
});

afterAll(async () => {
  await upstream?.close();
  await oidc?.close();
  await cleanup?.();
});

describe('a device-code provider found through OIDC metadata', () => {
  it('logs in, refreshes, and chats with the access token as Bearer', async () => {
    const clock = new FakeClock(Date.now());
    const { account, verificationUri } = await logInThroughPages({
      oidc,
      provider,
      paths,
      clock,
      login: 'carol',
    });
    // The verification page is the server's own, learned from its metadata.
    expect(verificationUri.startsWith(oidc.issuer)).toBe(true);
    expect(account.email).toBe('carol@example.test');

    const loggedIn = (await readTokenFile(account.tokenPath))!;
    const outcome = await refreshAccount({ provider, paths, account, clock, force: true });
    expect(outcome.type).toBe('refreshed');
    const refreshed = (await readTokenFile(account.tokenPath))!;
    expect(refreshed.access_token).not.toBe(loggedIn.access_token);

    upstream.setHandler((request, res) => {
      if (request.headers.authorization !== `Bearer ${refreshed.access_token}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"bad token"}}');
        return;
      }
      completeJson(res, 'Hello from corp');
    });
    const proxy = await startProxy({
      provider,
      paths,
      secret: SECRET,
      settings: { env: { ANTHROPIC_MODEL: 'corp-coder' } },
    });
    try {
      const answer = await call(proxy, '/v1/messages', {
        model: 'corp-coder',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json().content[0].text).toBe('Hello from corp');
      const sent = upstream.received.at(-1)!;
      expect(sent.url).toBe('/v1/chat/completions');
      expect(sent.apiKey).toBe(refreshed.access_token);
      expect(sent.body.model).toBe('corp-coder');
    } finally {
      await proxy.close();
    }
    expect((await listAccounts(paths, 'corp')).map((a) => a.nickname)).toEqual(['carol']);
  });
});
