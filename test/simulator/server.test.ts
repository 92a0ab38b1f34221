import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollForToken, requestDeviceCode } from '../../src/auth/device-code.js';
import { IFLOW_CLIENT_ID } from '../../src/providers/iflow.js';
import { registerChatHandler, type Simulator, startSimulator } from '../../src/simulator/server.js';
import { FakeClock } from '../auth/fake-clock.js';
import { control, simProvider, simState } from '../auth/helpers.js';

interface TokenBody {
  access_token: string;
  refresh_token: string;
}

let sim: Simulator;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock(undefined, true);
  sim = await startSimulator({ clock });
});

afterEach(async () => {
  await sim.close();
});

function postForm(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

async function newCode() {
  const response = await postForm('/oauth/device/code', { client_id: IFLOW_CLIENT_ID });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as Record<string, string | number>;
}

describe('the verification page', () => {
  it('serves a form with the code filled in, and approving it lets the client in', async () => {
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });

    const page = await fetch(auth.verificationUriComplete!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/device">');
    expect(html).toContain(`value="${auth.userCode}"`);
    expect(html).toContain('value="demo@example.com"');
    expect(html).not.toContain('<script');

    // What a browser sends when the person types the code in lower case.
    const typed = auth.userCode.toLowerCase().replace('-', ' ');
    const approved = await postForm('/device', {
      user_code: typed,
      email: 'pat@example.com',
      phone: '',
      action: 'approve',
    });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('pat@example.com');

    const tokens = await pollForToken(provider, auth, { clock });
    expect(tokens.accessToken).toMatch(/^at-/);
    const info = await fetch(
      `${sim.url}/api/oauth/getUserInfo?accessToken=${encodeURIComponent(tokens.accessToken)}`,
    );
    expect(await info.json()).toMatchObject({ success: true, data: { email: 'pat@example.com' } });
  });

  it('denies from the page', async () => {
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    const denied = await postForm('/device', { user_code: auth.userCode, action: 'deny' });
    expect(await denied.text()).toContain('Access denied');
    await expect(pollForToken(provider, auth, { clock })).rejects.toMatchObject({
      code: 'access_denied',
    });
  });

  it('shows the form again with an error for an unknown or used code', async () => {
    const unknown = await postForm('/device', { user_code: 'BBBB-CCCC', action: 'approve' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No login is waiting for code BBBB-CCCC.');

    const code = await newCode();
    await postForm('/device', { user_code: String(code.user_code), action: 'approve' });
    const twice = await postForm('/device', { user_code: String(code.user_code), action: 'deny' });
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('already approved');
  });

  it('escapes what it echoes', async () => {
    const response = await postForm('/device', {
      user_code: '<b>x',
      email: '"><script>alert(1)</script>',
    });
    const html = await response.text();
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });
});

describe('the OAuth endpoints', () => {
  it('answers the device-code request per RFC 8628', async () => {
    const code = await newCode();
    expect(code).toMatchObject({
      verification_uri: `${sim.url}/device`,
      verification_uri_complete: `${sim.url}/device?user_code=${code.user_code}`,
      expires_in: 600,
      interval: 5,
    });
    expect(code.user_code).toMatch(/^[B-Z]{4}-[B-Z]{4}$/);
  });

  it('refuses a device-code request without a form-encoded client_id', async () => {
    const missing = await postForm('/oauth/device/code', {});
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
    const wrong = await postForm('/oauth/device/code', { client_id: 'nope' });
    expect(wrong.status).toBe(401);
    const json = await fetch(`${sim.url}/oauth/device/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: IFLOW_CLIENT_ID }),
    });
    expect(json.status).toBe(400);
  });

  it('hands out tokens once per device code', async () => {
    const code = await newCode();
    await control(sim, 'approve', { userCode: code.user_code });
    const grant = {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: String(code.device_code),
      client_id: IFLOW_CLIENT_ID,
    };
    const first = await postForm('/oauth/token', grant);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ token_type: 'bearer', expires_in: 172800 });
    const second = await postForm('/oauth/token', grant);
    expect(await second.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects unknown grant types', async () => {
    const response = await postForm('/oauth/token', {
      grant_type: 'password',
      client_id: IFLOW_CLIENT_ID,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('rotates refresh tokens and keeps the api key across refreshes', async () => {
    const code = await newCode();
    await control(sim, 'approve', { userCode: code.user_code, email: 'ann@example.com' });
    const tokens = (await (
      await postForm('/oauth/token', {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: String(code.device_code),
        client_id: IFLOW_CLIENT_ID,
      })
    ).json()) as TokenBody;
    const refresh = (token: string) =>
      postForm('/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: token,
        client_id: IFLOW_CLIENT_ID,
      });
    const userInfo = async (accessToken: string) => {
      const response = await fetch(`${sim.url}/api/oauth/getUserInfo?accessToken=${accessToken}`);
      return (await response.json()) as { data: { apiKey: string } };
    };

    const keyBefore = (await userInfo(tokens.access_token)).data.apiKey;
    const next = (await (await refresh(tokens.refresh_token)).json()) as TokenBody;
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect((await userInfo(next.access_token)).data.apiKey).toBe(keyBefore);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);

    await control(sim, 'config', { refusalStyle: 'success-false' });
    await control(sim, 'revoke', { account: 'ann@example.com' });
    const refused = await refresh(next.refresh_token);
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ success: false });
    expect((await simState(sim)).counters.refresh).toBe(3);
  });

  it('masks phone numbers and allows accounts without an e-mail', async () => {
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    await control(sim, 'approve', { userCode: auth.userCode, phone: '13812345678' });
    const tokens = await pollForToken(provider, auth, { clock });
    const info = await fetch(`${sim.url}/api/oauth/getUserInfo?accessToken=${tokens.accessToken}`);
    expect(await info.json()).toMatchObject({
      success: true,
      data: { email: '', phone: '138****5678' },
    });
  });

  it('answers user info for an unknown token with success:false', async () => {
    const info = await fetch(`${sim.url}/api/oauth/getUserInfo?accessToken=nope`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ success: false });
  });
});

describe('the control routes', () => {
  it('validate bodies and name unknown accounts', async () => {
    const bad = await fetch(`${sim.url}/_sim/config`, {
      method: 'POST',
      body: JSON.stringify({ intervalSec: -1 }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false });
    const unknown = await fetch(`${sim.url}/_sim/revoke`, {
      method: 'POST',
      body: JSON.stringify({ account: 'who@example.com' }),
    });
    expect(unknown.status).toBe(404);
    const route = await fetch(`${sim.url}/_sim/nothing`, { method: 'POST' });
    expect(route.status).toBe(404);
  });

  it('arm faults for one account only', async () => {
    const code = await newCode();
    await control(sim, 'approve', { userCode: code.user_code, email: 'ann@example.com' });
    await control(sim, 'fault', { kind: 'userinfo_server_error', account: 'ann@example.com' });
    const state = await simState(sim);
    expect(state.accounts[0]).toMatchObject({
      email: 'ann@example.com',
      faults: [{ kind: 'userinfo_server_error', times: 1 }],
    });
    await control(sim, 'faults/clear', {});
    expect((await simState(sim)).accounts[0]).toMatchObject({ faults: [] });
  });

  it('rotate an api key on request only', async () => {
    const code = await newCode();
    const approved = await control(sim, 'approve', { userCode: code.user_code });
    const before = (approved.account as { apiKey: string }).apiKey;
    const rotated = await control(sim, 'rotate-key', { account: 'demo@example.com' });
    expect(rotated.apiKey).not.toBe(before);
    expect((await simState(sim)).accounts.map((a) => a.apiKey)).toEqual([rotated.apiKey]);
  });
});

describe('determinism and the chat route', () => {
  it('hands out the same codes for the same seed and clock', async () => {
    const other = await startSimulator({ clock: new FakeClock(undefined, true) });
    const again = await startSimulator({ clock: new FakeClock(undefined, true) });
    try {
      const codes = await Promise.all(
        [other, again].map(async (s) => {
          const response = await fetch(`${s.url}/oauth/device/code`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ client_id: IFLOW_CLIENT_ID }),
          });
          const body = (await response.json()) as Record<string, string>;
          return [body.user_code, body.device_code];
        }),
      );
      expect(codes[0]).toEqual(codes[1]);
    } finally {
      await other.close();
      await again.close();
    }
  });

  it('routes POST /v1/chat/completions to the registered chat handler with the state', async () => {
    let seenState: unknown;
    registerChatHandler(async (_req, res, state) => {
      seenState = state;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"chat"}');
    });
    try {
      const response = await fetch(`${sim.url}/v1/chat/completions`, {
        method: 'POST',
        body: '{}',
      });
      expect(await response.json()).toEqual({ id: 'chat' });
      expect(seenState).toBe(sim.state);
    } finally {
      registerChatHandler(undefined);
    }
  });
});
