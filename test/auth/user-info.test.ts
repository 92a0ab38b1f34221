import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchUserInfo, readUserInfo } from '../../src/auth/user-info.js';
import { UserError } from '../../src/errors.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { FakeClock } from './fake-clock.js';
import { control, simProvider, simState } from './helpers.js';

function oidcProvider(userInfoUrl = 'http://127.0.0.1:9/userinfo'): ProviderDefinition {
  const base = iflowProvider('http://127.0.0.1:9');
  if (base.auth.kind !== 'device-code') throw new Error('unreachable');
  return {
    ...base,
    auth: {
      ...base.auth,
      userInfo: { url: userInfoUrl, style: 'bearer' },
      credential: { from: 'access_token' },
    },
  };
}

describe('readUserInfo', () => {
  it('unwraps iFlow envelopes and takes the api key', () => {
    const info = readUserInfo(iflowProvider(), {
      success: true,
      data: { apiKey: 'sk-1', email: '', phone: '138****5678' },
    });
    expect(info).toEqual({ email: '', phone: '138****5678', credential: 'sk-1' });
  });

  it('refuses an envelope without the api key, or one that says success:false', () => {
    expect(() =>
      readUserInfo(iflowProvider(), { success: true, data: { email: 'a@b.c' } }),
    ).toThrow(/no apiKey/);
    expect(() => readUserInfo(iflowProvider(), { success: false, message: 'frozen' })).toThrow(
      /frozen/,
    );
  });

  it('reads plain OIDC claims when there is no envelope', () => {
    expect(readUserInfo(oidcProvider(), { sub: 'x', email: 'ann@corp.example' })).toEqual({
      email: 'ann@corp.example',
    });
  });
});

describe('fetchUserInfo', () => {
  let sim: Simulator;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock(undefined, true);
    sim = await startSimulator({ clock });
  });
  afterEach(() => sim.close());

  async function accessToken(): Promise<string> {
    const code = await fetch(`${sim.url}/oauth/device/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=10009311001',
    }).then((r) => r.json() as Promise<Record<string, string>>);
    await control(sim, 'approve', { userCode: code.user_code!, email: 'ann@example.com' });
    const tokens = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: code.device_code!,
        client_id: '10009311001',
      }),
    }).then((r) => r.json() as Promise<Record<string, string>>);
    return tokens.access_token!;
  }

  it('retries a 5xx and a dropped connection, then answers', async () => {
    const token = await accessToken();
    await control(sim, 'fault', { kind: 'userinfo_server_error' });
    await control(sim, 'fault', { kind: 'userinfo_network' });
    const info = await fetchUserInfo(simProvider(sim), token, { clock });
    expect(info.email).toBe('ann@example.com');
    expect(info.credential).toMatch(/^sk-sim-/);
    expect((await simState(sim)).counters.userinfo).toBe(3);
  });

  it('fails with auth_failed for an expired access token', async () => {
    const token = await accessToken();
    clock.advance(3 * 24 * 3600_000);
    const error = await fetchUserInfo(simProvider(sim), token, { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('auth_failed');
    expect((error as UserError).message).toContain('expired');
  });

  it('retries an answer whose body is cut off after the headers', async () => {
    let hits = 0;
    const server = createServer((_request, response) => {
      hits++;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
      if (hits === 1) {
        response.write('{"email": "ann@');
        response.socket?.destroy();
      } else {
        response.end(JSON.stringify({ email: 'ann@corp.example' }).padEnd(64));
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const provider = oidcProvider(`http://127.0.0.1:${port}/userinfo`);
      const info = await fetchUserInfo(provider, 'at-1', { clock });
      expect(info).toEqual({ email: 'ann@corp.example' });
      expect(hits).toBe(2);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
