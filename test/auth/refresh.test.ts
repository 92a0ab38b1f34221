import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../src/accounts/registry.js';
import { readTokenFile } from '../../src/accounts/token-store.js';
import { loginWithDeviceCode } from '../../src/auth/login.js';
import {
  createRefreshService,
  credentialFor,
  type RefreshEvent,
  type RefreshService,
  refreshAccount,
  refreshDueAt,
} from '../../src/auth/refresh.js';
import { refreshEventLine } from '../../src/commands/proxy.js';
import { CancelledError } from '../../src/errors.js';
import type { CcsPaths } from '../../src/home.js';
import { checkAccountsBeforeStart } from '../../src/launch/accounts.js';
import { silentLogger } from '../../src/log.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { FakeClock } from './fake-clock.js';
import { control, loginThroughSim, simProvider, simState, tempHome } from './helpers.js';

const HOUR = 3600_000;

describe('refreshDueAt', () => {
  const at = (iso: string) => Date.parse(iso);
  it('is 24 h before expiry for tokens living 48 h or more', () => {
    const tokens = { last_refresh: '2026-03-01T00:00:00Z', expired: '2026-03-08T00:00:00Z' };
    expect(refreshDueAt(tokens)).toBe(at('2026-03-07T00:00:00Z'));
    const twoDays = { last_refresh: '2026-03-01T00:00:00Z', expired: '2026-03-03T00:00:00Z' };
    expect(refreshDueAt(twoDays)).toBe(at('2026-03-02T00:00:00Z'));
  });
  it('is half-way through the life of shorter-lived tokens', () => {
    const hour = { last_refresh: '2026-03-01T00:00:00Z', expired: '2026-03-01T01:00:00Z' };
    expect(refreshDueAt(hour)).toBe(at('2026-03-01T00:30:00Z'));
  });
});

describe('credentialFor', () => {
  const tokens = {
    type: 'x',
    access_token: 'at',
    refresh_token: 'rt',
    api_key: 'key',
    email: '',
    expired: '2026-03-01T00:00:00Z',
    last_refresh: '2026-03-01T00:00:00Z',
    token_type: 'bearer',
    scope: '',
  };
  it('uses the api key from user info for iFlow', () => {
    expect(credentialFor(iflowProvider(), tokens)).toBe('key');
  });
  it('uses the access token when the provider says so', () => {
    const base = iflowProvider();
    if (base.auth.kind !== 'device-code') throw new Error('unreachable');
    const provider: ProviderDefinition = {
      ...base,
      auth: { ...base.auth, credential: { from: 'access_token' } },
    };
    expect(credentialFor(provider, tokens)).toBe('at');
  });
});

let sim: Simulator;
let clock: FakeClock;
let paths: CcsPaths;
let cleanup: () => Promise<void>;
let provider: ProviderDefinition;

beforeEach(async () => {
  clock = new FakeClock();
  sim = await startSimulator({ clock });
  provider = simProvider(sim);
  ({ paths, cleanup } = await tempHome());
});

afterEach(async () => {
  await sim.close();
  await cleanup();
});

async function loginAnn(): Promise<Account> {
  return (await loginThroughSim(sim, clock, paths, { email: 'ann@example.com' })).account;
}

async function refreshCalls(): Promise<number> {
  return (await simState(sim)).counters.refresh ?? 0;
}

async function refreshGrant(refreshToken: string): Promise<Response> {
  return fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: '10009311001',
    }),
  });
}

describe('refreshAccount', () => {
  it('leaves a token that is not due alone', async () => {
    const account = await loginAnn();
    const outcome = await refreshAccount({ provider, paths, account, clock });
    expect(outcome.type).toBe('fresh');
    expect(await refreshCalls()).toBe(0);
  });

  it('rotates the refresh token and re-reads the api key', async () => {
    const account = await loginAnn();
    const before = (await readTokenFile(account.tokenPath))!;
    const { apiKey } = await control(sim, 'rotate-key', { account: 'ann@example.com' });
    clock.advance(25 * HOUR); // past "24 h before expiry" of a 48 h token

    const outcome = await refreshAccount({ provider, paths, account, clock });
    expect(outcome.type).toBe('refreshed');
    const after = (await readTokenFile(account.tokenPath))!;
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.api_key).toBe(apiKey);
    expect(after.last_refresh).toBe(new Date(clock.now()).toISOString());
    expect(after.expired).toBe(new Date(clock.now() + 48 * HOUR).toISOString());
    expect(await refreshCalls()).toBe(1);

    // The spent refresh token is refused from now on.
    const reuse = await refreshGrant(before.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('marks the account needs_login when the refresh token is refused', async () => {
    const account = await loginAnn();
    await control(sim, 'revoke', { account: 'ann@example.com' });
    const outcome = await refreshAccount({ provider, paths, account, clock, force: true });
    expect(outcome).toMatchObject({ type: 'needs-login' });
    expect(await readTokenFile(account.tokenPath)).toMatchObject({ needs_login: true });

    // Known to need a login: no more calls spent on it.
    const again = await refreshAccount({ provider, paths, account, clock, force: true });
    expect(again.type).toBe('needs-login');
    expect(await refreshCalls()).toBe(1);
  });

  it('treats an HTTP 200 success:false refusal the same way', async () => {
    const account = await loginAnn();
    await control(sim, 'config', { refusalStyle: 'success-false' });
    await control(sim, 'revoke', { account: 'ann@example.com' });
    const outcome = await refreshAccount({ provider, paths, account, clock, force: true });
    expect(outcome).toMatchObject({ type: 'needs-login' });
    expect((outcome as { reason: string }).reason).toContain('revoked');
    expect(await readTokenFile(account.tokenPath)).toMatchObject({ needs_login: true });
  });

  it('reports a 5xx as a failure and keeps the file as it was', async () => {
    const account = await loginAnn();
    const before = await readTokenFile(account.tokenPath);
    await control(sim, 'fault', { kind: 'refresh_server_error' });
    const outcome = await refreshAccount({ provider, paths, account, clock, force: true });
    expect(outcome.type).toBe('failed');
    expect(await readTokenFile(account.tokenPath)).toEqual(before);
  });

  it('saves the new tokens even when user info fails afterwards', async () => {
    const account = await loginAnn();
    const before = (await readTokenFile(account.tokenPath))!;
    await control(sim, 'fault', { kind: 'userinfo_success_false' });
    const outcome = await refreshAccount({ provider, paths, account, clock, force: true });
    expect(outcome.type).toBe('refreshed');
    const after = (await readTokenFile(account.tokenPath))!;
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.api_key).toBe(before.api_key);
  });

  it('spends the refresh token once when two refreshes race in one process', async () => {
    const account = await loginAnn();
    clock.advance(25 * HOUR);
    const outcomes = await Promise.all([
      refreshAccount({ provider, paths, account, clock }),
      refreshAccount({ provider, paths, account, clock }),
    ]);
    expect(outcomes.map((o) => o.type).sort()).toEqual(['fresh', 'refreshed']);
    expect(await refreshCalls()).toBe(1);
  });
});

/** A token endpoint that takes requests and never answers them. */
async function stalledTokenEndpoint(): Promise<{ server: Server; url: string; hits: number[] }> {
  const hits: number[] = [];
  const server = createServer(() => hits.push(Date.now()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/oauth/token`, hits };
}

describe('a refresh cancelled by Ctrl-C', () => {
  let stalled: Awaited<ReturnType<typeof stalledTokenEndpoint>>;
  let stalledProvider: ProviderDefinition;
  beforeEach(async () => {
    stalled = await stalledTokenEndpoint();
    if (provider.auth.kind !== 'device-code') throw new Error('unreachable');
    stalledProvider = { ...provider, auth: { ...provider.auth, tokenEndpoint: stalled.url } };
  });
  afterEach(async () => {
    stalled.server.closeAllConnections();
    stalled.server.close();
  });

  const abortOnRequest = (controller: AbortController) =>
    new Promise<void>((resolve) =>
      stalled.server.once('request', () => {
        controller.abort();
        resolve();
      }),
    );

  it('stops the token request at once and leaves the token file as it was', async () => {
    const account = await loginAnn();
    const before = await readFile(account.tokenPath, 'utf8');
    const controller = new AbortController();
    const asked = abortOnRequest(controller);
    const started = Date.now();
    const refresh = refreshAccount({
      provider: stalledProvider,
      paths,
      account,
      clock,
      force: true,
      signal: controller.signal,
    });
    await asked;
    await expect(refresh).rejects.toBeInstanceOf(CancelledError);
    // Well inside the 10 s request timeout.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readFile(account.tokenPath, 'utf8')).toBe(before);
    expect(stalled.hits).toHaveLength(1);
  });

  it('ends the pre-start check with CancelledError, taking the command signal', async () => {
    const account = await loginAnn();
    const before = await readFile(account.tokenPath, 'utf8');
    clock.advance(49 * HOUR); // the 48 h token has expired: the check refreshes it
    const controller = new AbortController();
    const asked = abortOnRequest(controller);
    const check = checkAccountsBeforeStart(
      { paths, clock, logger: silentLogger, stderr: process.stderr, signal: controller.signal },
      stalledProvider,
    );
    await asked;
    await expect(check).rejects.toBeInstanceOf(CancelledError);
    expect(await readFile(account.tokenPath, 'utf8')).toBe(before);
  });

  it('does not start when the signal is already aborted', async () => {
    const account = await loginAnn();
    const refresh = refreshAccount({
      provider: stalledProvider,
      paths,
      account,
      clock,
      force: true,
      signal: AbortSignal.abort(),
    });
    await expect(refresh).rejects.toBeInstanceOf(CancelledError);
    expect(stalled.hits).toHaveLength(0);
  });
});

describe('refreshEventLine', () => {
  const lab = { id: 'lab', displayName: 'Lab' };
  it('names the account and the cause of a failed refresh, and says nothing on success', () => {
    const failed = { type: 'failed', accountId: 'a', nickname: 'ann', message: 'Timed out.' };
    expect(refreshEventLine(lab, failed as RefreshEvent)).toBe(
      'ccs: could not refresh Lab account ann: Timed out.',
    );
    expect(refreshEventLine(lab, { type: 'refreshed', accountId: 'a', nickname: 'ann' })).toBe('');
  });
});

describe('createRefreshService', () => {
  let service: RefreshService | undefined;
  let events: RefreshEvent[];

  beforeEach(() => {
    events = [];
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  function startService(): RefreshService {
    service = createRefreshService({
      provider,
      paths,
      clock,
      onEvent: (event) => events.push(event),
    });
    service.start();
    return service;
  }

  function nextEvent(): Promise<RefreshEvent> {
    const seen = events.length;
    return new Promise((resolve) => {
      const check = () => (events.length > seen ? resolve(events[seen]!) : setImmediate(check));
      check();
    });
  }

  it('refreshes exactly when due, 24 h before expiry', async () => {
    await loginAnn();
    const due =
      Date.parse((await readTokenFile(paths.tokenFile('iflow', 'ann@example.com')))!.expired) -
      24 * HOUR;
    startService();

    await clock.waitForSleepers();
    clock.advance(due - 1 - clock.now());
    await clock.waitForSleepers();
    expect(clock.nextWake).toBe(due);
    expect(await refreshCalls()).toBe(0);

    const refreshed = nextEvent();
    clock.advance(1);
    expect(await refreshed).toEqual({
      type: 'refreshed',
      accountId: 'ann@example.com',
      nickname: 'ann',
    });
    expect(await refreshCalls()).toBe(1);
    await clock.waitForSleepers();
    expect(events).toHaveLength(1);
  });

  it('refreshes a short-lived token half-way through its life', async () => {
    await control(sim, 'config', { accessTokenLifetimeSec: 3600 });
    await loginAnn();
    const loggedInAt = clock.now();
    startService();
    await clock.waitForSleepers();
    expect(clock.nextWake).toBe(loggedInAt + 5 * 60_000); // the rescan comes first
    clock.advance(25 * 60_000);
    await clock.waitForSleepers();
    expect(clock.nextWake).toBe(loggedInAt + 30 * 60_000);
    const refreshed = nextEvent();
    clock.advance(5 * 60_000);
    expect((await refreshed).type).toBe('refreshed');
  });

  it('says once that an account needs login, not on every pass', async () => {
    await loginAnn();
    await control(sim, 'revoke', { account: 'ann@example.com' });
    startService();
    const needsLogin = nextEvent();
    await clock.waitForSleepers();
    clock.advance(25 * HOUR);
    const event = await needsLogin;
    expect(event).toMatchObject({ type: 'needs-login', nickname: 'ann' });
    if (event.type !== 'needs-login') throw new Error(`expected needs-login, got ${event.type}`);
    // Once, in plain words, with the way to repair it.
    expect(event.message).toMatch(/^ann needs to log in again \(the refresh was refused/);
    expect(event.message).toContain('Run `ccs iflow --auth --add`');
    // `ccs iflow --proxy` says it as one sentence, without the event's name.
    expect(refreshEventLine(provider, event)).toBe(`ccs: ${event.message}`);
    for (let i = 0; i < 3; i++) {
      await clock.waitForSleepers();
      clock.advance(10 * 60_000);
    }
    await clock.waitForSleepers();
    expect(events).toHaveLength(1);
    expect(await refreshCalls()).toBe(1);
  });

  it('tells again after a new login repaired the account and it was refused again', async () => {
    await loginAnn();
    await control(sim, 'revoke', { account: 'ann@example.com' });
    startService();
    const first = nextEvent();
    await clock.waitForSleepers();
    clock.advance(25 * HOUR);
    expect((await first).type).toBe('needs-login');

    // While the same service sleeps, the user logs in again (repairing it)
    // on a clock of its own, approving before the first poll.
    const loginClock = new FakeClock(clock.now());
    let userCode = '';
    const relogin = loginWithDeviceCode({
      provider,
      paths,
      clock: loginClock,
      onEvent: (event) => {
        if (event.type === 'code') userCode = event.authorization.userCode;
      },
    });
    await loginClock.waitForSleepers();
    await control(sim, 'approve', { userCode, email: 'ann@example.com' });
    loginClock.advance(5000);
    expect((await relogin).created).toBe(false);

    await clock.waitForSleepers();
    await control(sim, 'revoke', { account: 'ann@example.com' });
    const second = nextEvent();
    clock.advance(25 * HOUR);
    expect((await second).type).toBe('needs-login');
  });

  it('backs off after failures, reports the first one, then recovers', async () => {
    await loginAnn();
    await control(sim, 'fault', { kind: 'refresh_server_error', times: 2 });
    startService();
    await clock.waitForSleepers();
    const failed = nextEvent();
    clock.advance(25 * HOUR);
    expect(await failed).toMatchObject({ type: 'failed', nickname: 'ann' });

    await clock.waitForSleepers();
    expect(clock.nextWake).toBe(clock.now() + 30_000);
    clock.advance(30_000); // second failure: no new event, 60 s backoff
    await clock.waitForSleepers();
    expect(clock.nextWake).toBe(clock.now() + 60_000);
    expect(events).toHaveLength(1);

    const refreshed = nextEvent();
    clock.advance(60_000);
    expect((await refreshed).type).toBe('refreshed');
    expect(await refreshCalls()).toBe(3);
  });

  it('refreshes on demand and stops without leaving a timer', async () => {
    await loginAnn();
    const running = startService();
    await clock.waitForSleepers();
    const outcome = await running.refreshNow('ann@example.com');
    expect(outcome.type).toBe('refreshed');
    expect(events.map((e) => e.type)).toEqual(['refreshed']);
    await running.stop();
    expect(clock.pending).toBe(0);
  });
});
