import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setAccountPaused } from '../../src/accounts/registry.js';
import { updateTokenFile } from '../../src/accounts/token-store.js';
import { accountState } from '../../src/commands/account-state.js';
import { runCli } from '../../src/commands/run.js';
import type { CcsPaths } from '../../src/home.js';
import { addAccount, fixedClock, tempHome, testContext } from '../cli/helpers.js';

let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

const NOW = '2026-05-01T12:00:00.000Z';
const HOUR = 60 * 60 * 1000;

describe('account state', () => {
  const now = Date.parse(NOW);
  const tokens = (expired: string, needs_login = false) => ({
    type: 'iflow',
    access_token: 'a',
    refresh_token: 'r',
    api_key: 'k',
    email: 'e',
    expired,
    last_refresh: NOW,
    token_type: 'Bearer',
    scope: '',
    needs_login,
  });

  it('is expiring when the token expires within 24 hours', () => {
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(accountState({ paused: false }, tokens(at(24 * HOUR)), now)).toBe('ok');
    expect(accountState({ paused: false }, tokens(at(24 * HOUR - 1)), now)).toBe('expiring');
    expect(accountState({ paused: false }, tokens(at(-HOUR)), now)).toBe('expiring');
  });

  it('puts needs-login before paused, and a missing token file needs login', () => {
    const later = new Date(now + 48 * HOUR).toISOString();
    expect(accountState({ paused: true }, tokens(later), now)).toBe('paused');
    expect(accountState({ paused: true }, tokens(later, true), now)).toBe('needs-login');
    expect(accountState({ paused: false }, undefined, now)).toBe('needs-login');
  });
});

describe('--accounts --json', () => {
  it('prints every account with its state and RFC 3339 times', async () => {
    const work = await addAccount(
      paths,
      { email: 'work@company.com' },
      { now: '2026-04-01T10:00:00Z', expired: '2026-05-09T10:00:00Z' },
    );
    await addAccount(
      paths,
      { email: 'soon@example.com' },
      { now: '2026-04-02T10:00:00Z', expired: '2026-05-02T06:00:00Z' },
    );
    const phone = await addAccount(
      paths,
      { email: '', phone: '138****5678' },
      { now: '2026-04-03T10:00:00Z', expired: '2026-05-09T10:00:00Z' },
    );
    const broken = await addAccount(
      paths,
      { email: 'broken@example.com' },
      { now: '2026-04-04T10:00:00Z', expired: '2026-05-09T10:00:00Z' },
    );
    await setAccountPaused(paths, 'iflow', phone.account.id, true);
    await updateTokenFile(broken.account.tokenPath, (t) => t && { ...t, needs_login: true });

    const t = testContext(paths, { clock: fixedClock(NOW) });
    expect(await runCli(t.ctx, ['iflow', '--accounts', '--json'])).toBe(0);
    const document = JSON.parse(t.stdout());

    expect(document).toEqual({
      provider: 'iflow',
      default: 'work',
      accounts: [
        {
          nickname: 'work',
          email: 'work@company.com',
          phone: null,
          default: true,
          state: 'ok',
          expires: '2026-05-09T10:00:00Z',
          createdAt: work.account.createdAt,
          lastUsedAt: null,
        },
        expect.objectContaining({ nickname: 'soon', default: false, state: 'expiring' }),
        expect.objectContaining({
          nickname: 'phone-5678',
          email: null,
          phone: '138****5678',
          state: 'paused',
        }),
        expect.objectContaining({ nickname: 'broken', state: 'needs-login' }),
      ],
    });
    for (const account of document.accounts) {
      expect(account.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
  });

  it('marks accounts that need attention in the text listing', async () => {
    const one = await addAccount(paths, { email: 'a@x.io' }, { now: '2026-04-01T10:00:00Z' });
    const two = await addAccount(paths, { email: 'b@x.io' }, { now: '2026-04-02T10:00:00Z' });
    await updateTokenFile(one.account.tokenPath, (t) => t && { ...t, needs_login: true });
    await setAccountPaused(paths, 'iflow', two.account.id, true);

    const t = testContext(paths, { clock: fixedClock(NOW) });
    expect(await runCli(t.ctx, ['iflow', '--accounts'])).toBe(0);
    expect(t.stdout()).toBe(
      'Accounts for iflow:\n  [default] a (a@x.io) - needs login\n  b (b@x.io) - paused\n',
    );
  });

  it('prints an empty list as JSON too', async () => {
    const t = testContext(paths);
    expect(await runCli(t.ctx, ['iflow', '--accounts', '--json'])).toBe(0);
    expect(JSON.parse(t.stdout())).toEqual({ provider: 'iflow', default: null, accounts: [] });
  });
});
