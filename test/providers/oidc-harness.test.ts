import { afterAll, beforeAll, expect, it } from 'vitest';
import { approveInBrowser, type OidcServer, startOidcServer } from './oidc-server.js';

let oidc: OidcServer;
beforeAll(async () => {
  oidc = await startOidcServer();
});
afterAll(() => oidc.close());

it('the test OAuth server completes a device flow approved through its own pages', async () => {
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const device = (await (
    await fetch(
      `${oidc.issuer}/device/auth`,
      form({ client_id: oidc.clientId, scope: 'openid email offline_access' }),
    )
  ).json()) as { user_code: string; device_code: string };
  expect(device.user_code).toBeTruthy();

  const grant = {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: device.device_code,
    client_id: oidc.clientId,
  };
  const pending = await fetch(`${oidc.issuer}/token`, form(grant));
  expect(((await pending.json()) as { error: string }).error).toBe('authorization_pending');

  const page = await approveInBrowser(oidc.issuer, device.user_code, 'alice');
  expect(page).toContain('Sign-in Success');

  const tokens = (await (await fetch(`${oidc.issuer}/token`, form(grant))).json()) as Record<
    string,
    string
  >;
  expect(tokens.access_token).toBeTruthy();
  expect(tokens.refresh_token).toBeTruthy();
});
