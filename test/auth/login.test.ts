import { readFile, stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import { readTokenFile, updateTokenFile } from '../../src/accounts/token-store.js';
import { loginWithDeviceCode } from '../../src/auth/login.js';
import { UserError } from '../../src/errors.js';
import type { CcsPaths } from '../../src/home.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { FakeClock } from './fake-clock.js';
import { control, loginThroughSim, simProvider, simState, tempHome } from './helpers.js';

let sim: Simulator;
let clock: FakeClock;
let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  clock = new FakeClock();
  sim = await startSimulator({ clock });
  ({ paths, cleanup } = await tempHome());
});

afterEach(async () => {
  await sim.close();
  await cleanup();
});

function login(identity: Record<string, string>, nickname?: string) {
  return loginThroughSim(sim, clock, paths, identity, nickname);
}

describe('loginWithDeviceCode', () => {
  it('stores a 0600 token file in a 0700 directory and a registry entry', async () => {
    const { account, created, events } = await login({ email: 'ann@example.com' });
    const loggedInAt = clock.now();

    expect(created).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['code', 'status', 'user-info']);
    expect(account).toMatchObject({
      id: 'ann@example.com',
      nickname: 'ann',
      isDefault: true,
      tokenPath: paths.tokenFile('iflow', 'ann@example.com'),
    });
    expect((await stat(account.tokenPath)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.authDir)).mode & 0o777).toBe(0o700);

    const simAccount = (await simState(sim)).accounts[0]!;
    const tokens = await readTokenFile(account.tokenPath);
    expect(tokens).toMatchObject({
      type: 'iflow',
      email: 'ann@example.com',
      api_key: simAccount.apiKey,
      token_type: 'bearer',
      needs_login: false,
      last_refresh: new Date(loggedInAt).toISOString(),
      expired: new Date(loggedInAt + 172800 * 1000).toISOString(),
    });
    expect(tokens?.access_token).toMatch(/^at-/);
    expect(tokens?.refresh_token).toMatch(/^rt-/);
    const registry = JSON.parse(await readFile(paths.accountsFile, 'utf8'));
    expect(registry.providers.iflow.default).toBe('ann@example.com');
  });

  it('updates the same identity on a second login instead of adding one', async () => {
    const first = await login({ email: 'ann@example.com' });
    const before = await readTokenFile(first.account.tokenPath);
    const second = await login({ email: 'ann@example.com' });

    expect(second.created).toBe(false);
    expect(second.account.id).toBe(first.account.id);
    expect(second.account.createdAt).toBe(first.account.createdAt);
    const after = await readTokenFile(second.account.tokenPath);
    expect(after?.refresh_token).not.toBe(before?.refresh_token);
    expect(await listAccounts(paths, 'iflow')).toHaveLength(1);
  });

  it('takes an e-mail that differs only in case for the same account', async () => {
    const first = await login({ email: 'Ann@Example.com' });
    const second = await login({ email: 'ann@example.com' });
    expect(second.created).toBe(false);
    expect(second.account.id).toBe(first.account.id);
    expect(second.account.tokenPath).toBe(first.account.tokenPath);
    expect(await listAccounts(paths, 'iflow')).toHaveLength(1);
  });

  it('names a new account with --nickname and keeps the first as default', async () => {
    await login({ email: 'ann@example.com' });
    const { account } = await login({ email: 'bob@example.com' }, 'work');
    expect(account).toMatchObject({ nickname: 'work', isDefault: false });
    expect((await listAccounts(paths, 'iflow')).map((a) => a.nickname)).toEqual(['ann', 'work']);
  });

  it('refuses a taken --nickname before requesting a code', async () => {
    await login({ email: 'ann@example.com' });
    const error = await loginWithDeviceCode({
      provider: simProvider(sim),
      paths,
      clock,
      nickname: 'ann',
      onEvent: () => {},
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('nickname_taken');
    expect((error as UserError).message).toContain('ann@example.com');
    expect((error as UserError).nextStep).toContain('--nickname');
    // Only the first login's code was ever requested.
    expect((await simState(sim)).counters.device_code).toBe(1);
  });

  it('lets --nickname name an account that needs login, to log it in again', async () => {
    await login({ email: 'ann@example.com' });
    const work = await login({ email: 'bob@example.com' }, 'work');
    await updateTokenFile(work.account.tokenPath, (t) => (t ? { ...t, needs_login: true } : t));

    const again = await login({ email: 'bob@example.com' }, 'work');
    expect(again.created).toBe(false);
    expect(again.account).toMatchObject({ id: work.account.id, nickname: 'work' });
    expect(await readTokenFile(again.account.tokenPath)).toMatchObject({ needs_login: false });
    expect(await listAccounts(paths, 'iflow')).toHaveLength(2);
  });

  it('still refuses that nickname when someone else approves the code', async () => {
    const work = await login({ email: 'bob@example.com' }, 'work');
    await updateTokenFile(work.account.tokenPath, (t) => (t ? { ...t, needs_login: true } : t));
    const before = await readFile(work.account.tokenPath, 'utf8');

    const error = await login({ email: 'carol@example.com' }, 'work').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('nickname_taken');
    expect(await readFile(work.account.tokenPath, 'utf8')).toBe(before);
    expect((await listAccounts(paths, 'iflow')).map((a) => a.id)).toEqual(['bob@example.com']);
  });

  it('tells phone-only accounts apart by api key behind the same mask', async () => {
    const first = await login({ phone: '13812345678' });
    expect(first.account).toMatchObject({ id: '138****5678', nickname: 'phone-5678', email: '' });
    expect(await readTokenFile(first.account.tokenPath)).toMatchObject({
      email: '',
      phone: '138****5678',
    });

    // Another person whose number masks the same way: a different api key.
    const second = await login({ phone: '13899995678', apiKey: 'sk-other-person' });
    expect(second.created).toBe(true);
    expect(second.account.id).not.toBe(first.account.id);
    expect(second.account.id.startsWith('138****5678')).toBe(true);
    expect(second.account.nickname).toBe('phone-5678-2');

    // The first person again: same mask, same api key, so the same account.
    const again = await login({ phone: '13812345678' });
    expect(again.created).toBe(false);
    expect(again.account.id).toBe(first.account.id);
    expect(await listAccounts(paths, 'iflow')).toHaveLength(2);
  });

  it('stores nothing when user info fails', async () => {
    await control(sim, 'fault', {
      kind: 'userinfo_success_false',
      data: { message: 'account frozen.' },
    });
    const error = await login({ email: 'ann@example.com' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    // The server's own full stop is not doubled.
    expect((error as UserError).message).toBe(
      "iFlow did not return the account's details: account frozen.",
    );
    expect(await listAccounts(paths, 'iflow')).toEqual([]);
  });
});
