import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DeviceAuthorization,
  type PollStatus,
  pollForToken,
  requestDeviceCode,
} from '../../src/auth/device-code.js';
import { CancelledError, UserError } from '../../src/errors.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { FakeClock } from './fake-clock.js';
import { control, simProvider, simState, tick } from './helpers.js';

let sim: Simulator;
let clock: FakeClock;

async function startWith(fake: FakeClock, options: Parameters<typeof startSimulator>[0] = {}) {
  clock = fake;
  sim = await startSimulator({ clock, ...options });
}

afterEach(async () => {
  await sim?.close();
});

async function expectUserError(promise: Promise<unknown>, code: string): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).code).toBe(code);
  return error as UserError;
}

describe('requestDeviceCode', () => {
  beforeEach(() => startWith(new FakeClock(undefined, true)));

  it('returns the codes, the verification URIs and the expiry as a point in time', async () => {
    const start = clock.now();
    const auth = await requestDeviceCode(simProvider(sim), { clock });
    expect(auth.userCode).toMatch(/^[B-Z]{4}-[B-Z]{4}$/);
    expect(auth.verificationUri).toBe(`${sim.url}/device`);
    expect(auth.verificationUriComplete).toBe(`${sim.url}/device?user_code=${auth.userCode}`);
    expect(auth.expiresAt).toBe(start + 600_000);
    expect(auth.intervalSec).toBe(5);
    expect(auth.deviceCode.length).toBeGreaterThan(20);
  });

  it('retries a 5xx and then succeeds', async () => {
    await control(sim, 'fault', { kind: 'device_code_server_error' });
    const auth = await requestDeviceCode(simProvider(sim), { clock });
    expect(auth.userCode).toMatch(/^[B-Z]{4}-[B-Z]{4}$/);
    expect((await simState(sim)).counters.device_code).toBe(2);
  });

  it('gives up after three unreachable attempts', async () => {
    await control(sim, 'fault', { kind: 'device_code_network', times: null });
    const error = await expectUserError(
      requestDeviceCode(simProvider(sim), { clock }),
      'auth_server',
    );
    expect(error.message).toContain('network error');
    // The URL may come from the environment or config.yaml: say which one failed.
    expect(error.message).toContain(`at ${sim.authUrl}/oauth/device/code`);
    expect((await simState(sim)).counters.device_code).toBe(3);
  });

  it('treats an HTTP 200 success:false as a refusal', async () => {
    await control(sim, 'fault', {
      kind: 'device_code_success_false',
      data: { message: 'client disabled' },
    });
    const error = await expectUserError(
      requestDeviceCode(simProvider(sim), { clock }),
      'auth_failed',
    );
    expect(error.message).toContain('client disabled');
  });

  it('reports an unknown client id as auth_failed', async () => {
    const provider = simProvider(sim);
    if (provider.auth.kind !== 'device-code') throw new Error('unreachable');
    provider.auth.clientId = 'someone-else';
    const error = await expectUserError(requestDeviceCode(provider, { clock }), 'auth_failed');
    expect(error.message).toContain('invalid_client');
  });
});

describe('pollForToken against the simulator', () => {
  it('keeps polling while authorization is pending, then returns the tokens', async () => {
    await startWith(new FakeClock());
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    const statuses: PollStatus[] = [];
    const polling = pollForToken(provider, auth, { clock, onStatus: (s) => statuses.push(s) });

    await tick(clock, 5000);
    await clock.waitForSleepers();
    expect(statuses).toEqual([{ type: 'waiting' }]);
    await control(sim, 'approve', { userCode: auth.userCode, email: 'ann@example.com' });
    clock.advance(5000);

    const tokens = await polling;
    expect(tokens.accessToken).toMatch(/^at-/);
    expect(tokens.refreshToken).toMatch(/^rt-/);
    expect(tokens.expiresInSec).toBe(172800);
    expect(tokens.tokenType).toBe('bearer');
    expect(statuses).toEqual([{ type: 'waiting' }]);
    expect((await simState(sim)).counters.token).toBe(2);
  });

  it('adds 5 s to the interval on slow_down', async () => {
    await startWith(new FakeClock());
    const provider = simProvider(sim);
    const issued = await requestDeviceCode(provider, { clock });
    // A client that polls faster than the server's 5 s.
    const auth: DeviceAuthorization = { ...issued, intervalSec: 1 };
    const statuses: PollStatus[] = [];
    const polling = pollForToken(provider, auth, { clock, onStatus: (s) => statuses.push(s) });

    await tick(clock, 1000); // first poll: pending
    await tick(clock, 1000); // 1 s after the last: slow_down
    await clock.waitForSleepers();
    expect(statuses).toEqual([{ type: 'waiting' }, { type: 'slow_down', intervalSec: 6 }]);
    await control(sim, 'approve', { userCode: auth.userCode });
    clock.advance(6000);

    await expect(polling).resolves.toMatchObject({ tokenType: 'bearer' });
    expect(clock.sleeps).toEqual([1000, 1000, 6000]);
  });

  it('ends with expired_token when the server says the code expired', async () => {
    await startWith(new FakeClock(undefined, true), { codeLifetimeSec: 12 });
    const provider = simProvider(sim);
    const issued = await requestDeviceCode(provider, { clock });
    // The client believes it has longer than the server grants.
    const auth = { ...issued, expiresAt: issued.expiresAt + 3600_000 };
    const error = await expectUserError(pollForToken(provider, auth, { clock }), 'expired_token');
    expect(error.message).toBe('Device code expired before authorization.');
    expect(error.nextStep).toBe('Run the same command again for a new code.');
    expect((await simState(sim)).counters.token).toBe(3); // at 5, 10 and 15 s
  });

  it('stops by itself at expiresAt without polling past it', async () => {
    await startWith(new FakeClock(undefined, true), { codeLifetimeSec: 12 });
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    const error = await expectUserError(pollForToken(provider, auth, { clock }), 'expired_token');
    expect(error.message).toBe('Device code expired before authorization.');
    expect(clock.now()).toBe(auth.expiresAt);
    expect(clock.sleeps).toEqual([5000, 5000, 2000]);
    expect((await simState(sim)).counters.token).toBe(2);
  });

  it('ends with access_denied when the user denies', async () => {
    await startWith(new FakeClock(undefined, true));
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    await control(sim, 'deny', { userCode: auth.userCode });
    const error = await expectUserError(pollForToken(provider, auth, { clock }), 'access_denied');
    expect(error.message).toContain('denied');
  });

  it('treats an HTTP 200 success:false token answer as a failure, not a token', async () => {
    await startWith(new FakeClock(undefined, true));
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    await control(sim, 'approve', { userCode: auth.userCode });
    await control(sim, 'fault', { kind: 'token_success_false', data: { message: 'risk control' } });
    const error = await expectUserError(pollForToken(provider, auth, { clock }), 'auth_failed');
    expect(error.message).toContain('risk control');
  });

  it('retries after a network error and recovers', async () => {
    await startWith(new FakeClock(undefined, true));
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    await control(sim, 'approve', { userCode: auth.userCode });
    await control(sim, 'fault', { kind: 'token_network' });
    const statuses: PollStatus[] = [];
    const tokens = await pollForToken(provider, auth, {
      clock,
      onStatus: (s) => statuses.push(s),
    });
    expect(tokens.accessToken).toMatch(/^at-/);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ type: 'retrying', inMs: 5000 });
    expect((statuses[0] as { reason: string }).reason).toMatch(/^network error/);
  });

  it('retries 5xx answers with growing delays, then succeeds', async () => {
    await startWith(new FakeClock(undefined, true), { intervalSec: 1 });
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    await control(sim, 'approve', { userCode: auth.userCode });
    await control(sim, 'fault', { kind: 'token_server_error', times: 3 });
    const statuses: PollStatus[] = [];
    await pollForToken(provider, auth, { clock, onStatus: (s) => statuses.push(s) });
    expect(statuses).toEqual([
      { type: 'retrying', reason: 'HTTP 503', inMs: 1000 },
      { type: 'retrying', reason: 'HTTP 503', inMs: 2000 },
      { type: 'retrying', reason: 'HTTP 503', inMs: 4000 },
    ]);
    expect(clock.sleeps).toEqual([1000, 1000, 2000, 4000]);
  });

  it('gives up with auth_server when the server keeps failing', async () => {
    await startWith(new FakeClock(undefined, true), { intervalSec: 1 });
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    await control(sim, 'fault', { kind: 'token_server_error', times: null });
    const error = await expectUserError(pollForToken(provider, auth, { clock }), 'auth_server');
    expect(error.message).toContain(`at ${sim.authUrl}/oauth/token (HTTP 503)`);
    expect((await simState(sim)).counters.token).toBe(6);
  });

  it('stops at once when aborted while waiting, leaving no timer behind', async () => {
    await startWith(new FakeClock());
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    const controller = new AbortController();
    const statuses: PollStatus[] = [];
    const polling = pollForToken(provider, auth, {
      clock,
      signal: controller.signal,
      onStatus: (s) => statuses.push(s),
    });

    await tick(clock, 5000);
    await clock.waitForSleepers();
    expect(statuses).toEqual([{ type: 'waiting' }]);
    controller.abort();

    await expect(polling).rejects.toBeInstanceOf(CancelledError);
    expect(clock.pending).toBe(0);
    expect((await simState(sim)).counters.token).toBe(1);
  });

  it('stops at once when aborted mid-request', async () => {
    await startWith(new FakeClock(undefined, true));
    const provider = simProvider(sim);
    const auth = await requestDeviceCode(provider, { clock });
    const controller = new AbortController();
    let entered!: () => void;
    const inRequest = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // A fetch that never answers until aborted.
    const hangingFetch = ((_url: string, init?: RequestInit) => {
      entered();
      return new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }) as typeof fetch;
    const polling = pollForToken(provider, auth, {
      clock,
      signal: controller.signal,
      fetch: hangingFetch,
    });
    await inRequest;
    controller.abort();
    await expect(polling).rejects.toBeInstanceOf(CancelledError);
  });
});
