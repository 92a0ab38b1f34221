import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { loginWithDeviceCode } from '../../src/auth/login.js';
import type { CcsPaths } from '../../src/home.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import type { FakeClock } from '../auth/fake-clock.js';

/**
 * A real, certified OAuth 2.0 / OpenID Connect server (oidc-provider) on
 * 127.0.0.1 with the device flow on, standing in for a company gateway's
 * Keycloak/Okta/Auth0. Any login name is accepted with any password.
 */
export interface OidcServer {
  issuer: string;
  clientId: string;
  close(): Promise<void>;
}

/** oidc-provider prints development notices on every call; tests do not need them. */
function muteProviderNotices(): void {
  for (const level of ['log', 'info', 'warn'] as const) {
    const original = console[level];
    if ((original as { muted?: boolean }).muted) continue;
    const filtered = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      original(...args);
    };
    console[level] = Object.assign(filtered, { muted: true });
  }
}

export async function startOidcServer(
  options: {
    accessTokenTtlSec?: number;
    /** Mount below this path, as Keycloak's realms are (`/realms/corp`): the issuer has it. */
    mountPath?: string;
  } = {},
): Promise<OidcServer> {
  muteProviderNotices();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const mount = options.mountPath ?? '';
  const issuer = `http://127.0.0.1:${port}${mount}`;
  const clientId = 'ccs-cli';

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_name: 'ccs',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    features: { deviceFlow: { enabled: true }, devInteractions: { enabled: true } },
    // Keycloak, Okta and Auth0 put the granted scopes' claims (email) in the ID
    // token too; oidc-provider keeps them to user info unless told otherwise.
    conformIdTokenClaims: false,
    scopes: ['openid', 'email', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true }),
      };
    },
    cookies: { keys: ['ccs-test-cookie-key'] },
    ttl: { AccessToken: options.accessTokenTtlSec ?? 3600 },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(mount)) {
      res.writeHead(404).end();
      return;
    }
    // What a framework's mount does: the app sees the rest, the original is kept.
    Object.assign(req, { originalUrl: url });
    req.url = url.slice(mount.length) || '/';
    callback(req, res);
  });

  return {
    issuer,
    clientId,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The fields of the first <form> in a page, hidden values filled in. */
function readForm(html: string, formId?: string): { action: string; fields: URLSearchParams } {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  const match = formId ? forms.find((f) => f[1]?.includes(`id="${formId}"`)) : forms[0];
  if (!match)
    throw new Error(`no form${formId ? ` ${formId}` : ''} in page:\n${html.slice(0, 400)}`);
  const action = /action="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? '';
  const fields = new URLSearchParams();
  for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const attrs = input[1] ?? '';
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    if (name) fields.set(name, value);
  }
  return { action: action.replace(/&amp;/g, '&'), fields };
}

/**
 * Approves a user code the way a person would in a browser: the device page,
 * the confirmation, the sign-in form and the consent form, with cookies.
 */
export async function approveInBrowser(
  issuer: string,
  userCode: string,
  login: string,
): Promise<string> {
  const cookies = new Map<string, string>();
  const request = async (url: string, body?: URLSearchParams): Promise<string> => {
    let target = new URL(url, issuer).toString();
    let form = body;
    for (let hops = 0; hops < 15; hops++) {
      const response = await fetch(target, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: form.toString() } : {}),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair?.indexOf('=') ?? -1;
        if (pair && eq > 0) cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        target = new URL(location, target).toString();
        form = undefined;
        continue;
      }
      return response.text();
    }
    throw new Error('too many redirects');
  };

  let page = await request(`${issuer}/device`);
  let form = readForm(page, 'op.deviceInputForm');
  form.fields.set('user_code', userCode);
  page = await request(form.action, form.fields);
  form = readForm(page, 'op.deviceConfirmForm');
  page = await request(form.action, form.fields);
  form = readForm(page);
  form.fields.set('login', login);
  form.fields.set('password', 'any');
  page = await request(form.action, form.fields);
  form = readForm(page);
  page = await request(form.action, form.fields);
  return page;
}

/**
 * The whole device-code login against the server, as a person does it: ccs
 * shows a code, the person approves it on the server's pages while ccs waits
 * out its first interval, then ccs polls once more and stores the account.
 */
export async function logInThroughPages(options: {
  oidc: OidcServer;
  provider: ProviderDefinition;
  paths: CcsPaths;
  clock: FakeClock;
  login: string;
}) {
  const { oidc, provider, paths, clock } = options;
  let shown!: (authorization: { userCode: string; verificationUri: string }) => void;
  const code = new Promise<{ userCode: string; verificationUri: string }>((resolve) => {
    shown = resolve;
  });
  const result = loginWithDeviceCode({
    provider,
    paths,
    clock,
    onEvent: (event) => {
      if (event.type === 'code') shown(event.authorization);
    },
  });
  const { userCode, verificationUri } = await code;
  await approveInBrowser(oidc.issuer, userCode, options.login);
  await clock.waitForSleepers();
  clock.advance(clock.nextWake! - clock.now());
  return { ...(await result), verificationUri };
}
