import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

function gateway(issuer: string, extra: Record<string, unknown> = {}) {
  const raw = {
    kind: 'device-code',
    issuer,
    client_id: oidc.clientId,
    scope: 'openid email offline_access',
    api_url: 'http://127.0.0.1:9/v1',
    models: ['m'],
    ...extra,
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

  it('asks for the default scopes the server supports when none is configured', async () => {
    const provider = await discoverEndpoints(gateway(oidc.issuer, { scope: undefined }));
    expect(provider.auth).toMatchObject({ scope: 'openid email offline_access' });
    const chosen = await discoverEndpoints(gateway(oidc.issuer, { scope: 'openid' }));
    expect(chosen.auth).toMatchObject({ scope: 'openid' });
  });

  it('says which issuer could not be read and what to check', async () => {
    const error = await discoverEndpoints(gateway('http://127.0.0.1:9/none')).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('http://127.0.0.1:9/none');
    expect(error.nextStep).toContain('providers.gateway.issuer');
  });
});

/**
 * A bare OAuth 2.0 server's metadata (no OpenID Connect), served where
 * RFC 8414 §3.1 puts it for an issuer with a path; `documents` maps a request
 * path to the JSON answered there, anything else is a 404.
 */
async function metadataServer(documents: (base: string) => Record<string, unknown>) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = documents(base)[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not_found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('discoverEndpoints without OpenID Connect', () => {
  it('falls back to RFC 8414 metadata, inserted before the issuer path', async () => {
    const server = await metadataServer((base) => ({
      '/.well-known/oauth-authorization-server/tenant/a': {
        issuer: `${base}/tenant/a`,
        device_authorization_endpoint: `${base}/tenant/a/device`,
        token_endpoint: `${base}/tenant/a/token`,
      },
    }));
    try {
      const provider = await discoverEndpoints(gateway(`${server.base}/tenant/a`));
      expect(provider.auth).toMatchObject({
        deviceAuthorizationEndpoint: `${server.base}/tenant/a/device`,
        tokenEndpoint: `${server.base}/tenant/a/token`,
      });
      expect(provider.auth).not.toHaveProperty('userInfo');
    } finally {
      await server.close();
    }
  });

  it('asks RFC 8414 too when the OIDC document lacks the device endpoint', async () => {
    const server = await metadataServer((base) => ({
      '/.well-known/openid-configuration': {
        issuer: base,
        token_endpoint: `${base}/token`,
        userinfo_endpoint: `${base}/me`,
      },
      '/.well-known/oauth-authorization-server': {
        issuer: base,
        device_authorization_endpoint: `${base}/device`,
        token_endpoint: `${base}/token`,
      },
    }));
    try {
      const provider = await discoverEndpoints(gateway(server.base));
      expect(provider.auth).toMatchObject({ deviceAuthorizationEndpoint: `${server.base}/device` });
    } finally {
      await server.close();
    }
  });

  it('names both metadata URLs and why each failed (an issuer that does not match)', async () => {
    const server = await metadataServer((base) => ({
      '/.well-known/oauth-authorization-server/tenant/a': {
        issuer: `${base}/tenant/a/`,
        device_authorization_endpoint: `${base}/device`,
        token_endpoint: `${base}/token`,
      },
    }));
    try {
      const error = await discoverEndpoints(gateway(`${server.base}/tenant/a`)).catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toContain(`${server.base}/tenant/a/.well-known/openid-configuration`);
      expect(error.message).toContain('"issuer" property does not match');
      expect(error.nextStep).toContain('trailing slash');
    } finally {
      await server.close();
    }
  });

  it('reads the metadata once for the refreshes and launches that follow', async () => {
    const server = await metadataServer((base) => ({
      '/.well-known/openid-configuration': {
        issuer: base,
        device_authorization_endpoint: `${base}/device`,
        token_endpoint: `${base}/token`,
        userinfo_endpoint: `${base}/me`,
        scopes_supported: ['openid', 'profile'],
      },
    }));
    try {
      const first = await discoverEndpoints(gateway(server.base, { scope: undefined }));
      const again = await discoverEndpoints(gateway(server.base, { scope: undefined }));
      expect(again.auth).toEqual(first.auth);
      // Only what the server supports is asked for.
      expect(first.auth).toMatchObject({ scope: 'openid' });
      expect(server.requests).toEqual(['/.well-known/openid-configuration']);
    } finally {
      await server.close();
    }
  });

  it('refuses a discovered endpoint that is not an http(s) URL, naming the key', async () => {
    const server = await metadataServer((base) => ({
      '/.well-known/openid-configuration': {
        issuer: base,
        device_authorization_endpoint: `${base}/device`,
        token_endpoint: 'ldap://directory.example/token',
      },
    }));
    try {
      const error = await discoverEndpoints(gateway(server.base)).catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toContain('token_endpoint "ldap://directory.example/token"');
      expect(error.nextStep).toContain('providers.gateway.token_endpoint');
    } finally {
      await server.close();
    }
  });

  it('refuses credential: userinfo:<field> when no user-info endpoint exists', async () => {
    const server = await metadataServer((base) => ({
      '/.well-known/oauth-authorization-server': {
        issuer: base,
        device_authorization_endpoint: `${base}/device`,
        token_endpoint: `${base}/token`,
      },
    }));
    try {
      const provider = gateway(server.base, { credential: 'userinfo:api_key' });
      const error = await discoverEndpoints(provider).catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toContain('userinfo:api_key');
      expect(error.nextStep).toContain('providers.gateway.userinfo_endpoint');
    } finally {
      await server.close();
    }
  });
});
