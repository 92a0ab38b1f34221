import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autoNickname, uniqueName } from '../../src/accounts/identity.js';
import { listAccounts, readAccountsFile } from '../../src/accounts/registry.js';
import { readTokenFile } from '../../src/accounts/token-store.js';
import { runCli } from '../../src/commands/run.js';
import { ensureDir, writeFileAtomic } from '../../src/fs/atomic.js';
import type { CcsPaths } from '../../src/home.js';
import { addAccount, tempHome, testContext } from '../cli/helpers.js';

/** A valid token file's fields, as a login writes them. */
function tokens(tag: string) {
  return {
    access_token: `at-${tag}`,
    refresh_token: `rt-${tag}`,
    api_key: `sk-${tag}`,
    email: `${tag}@x.io`,
    expired: '2026-05-10T10:00:00Z',
    last_refresh: '2026-05-01T10:00:00Z',
    token_type: 'Bearer',
    scope: '',
  };
}

let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

async function ccs(...argv: string[]) {
  const t = testContext(paths);
  const code = await runCli(t.ctx, argv);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

describe('identity rules', () => {
  it('derives nicknames from the e-mail or the masked phone, made unique', () => {
    expect(autoNickname({ email: 'john@example.com' }, new Set())).toBe('john');
    expect(autoNickname({ email: 'john@other.org' }, new Set(['john']))).toBe('john-2');
    expect(autoNickname({ email: 'john@x.io' }, new Set(['john', 'john-2']))).toBe('john-3');
    expect(autoNickname({ email: '', phone: '138****5678' }, new Set())).toBe('phone-5678');
    expect(autoNickname({ email: '', phone: '138****5678' }, new Set(['phone-5678']))).toBe(
      'phone-5678-2',
    );
    expect(autoNickname({ email: 'first+tag@x.io' }, new Set())).toBe('first-tag');
  });

  it('keeps unique names within 32 characters', () => {
    const long = 'a'.repeat(32);
    expect(uniqueName(long, new Set([long]))).toBe(`${'a'.repeat(30)}-2`);
  });
});

describe('the registry', () => {
  it('names accounts john, john-2 and phone-5678; the first is the default', async () => {
    await addAccount(paths, { email: 'john@example.com' }, { now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, { email: 'john@work.com' }, { now: '2026-05-01T10:01:00Z' });
    await addAccount(paths, { email: '', phone: '138****5678' }, { now: '2026-05-01T10:02:00Z' });

    const accounts = await listAccounts(paths, 'iflow');
    expect(accounts.map((a) => [a.nickname, a.id, a.isDefault])).toEqual([
      ['john', 'john@example.com', true],
      ['john-2', 'john@work.com', false],
      ['phone-5678', '138****5678', false],
    ]);
  });

  it('keeps two identical phone masks with different API keys apart', async () => {
    const phone = { email: '', phone: '138****5678' };
    await addAccount(paths, phone, { apiKey: 'sk-one', now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, phone, { apiKey: 'sk-two', now: '2026-05-01T10:01:00Z' });
    // The same key again is the same person: an update, not a third account.
    const again = await addAccount(paths, phone, { apiKey: 'sk-two' });
    expect(again.created).toBe(false);

    const accounts = await listAccounts(paths, 'iflow');
    expect(accounts.map((a) => a.nickname)).toEqual(['phone-5678', 'phone-5678-2']);
    expect(new Set(accounts.map((a) => a.id)).size).toBe(2);
    expect(new Set(accounts.map((a) => a.tokenPath)).size).toBe(2);
  });

  it('updates an existing identity on a new login instead of duplicating it', async () => {
    await addAccount(paths, { email: 'work@company.com' }, { nickname: 'work' });
    const first = await listAccounts(paths, 'iflow');
    const again = await addAccount(paths, { email: 'work@company.com' }, { apiKey: 'sk-new' });

    expect(again.created).toBe(false);
    expect(again.account.nickname).toBe('work');
    expect(again.account.createdAt).toBe(first[0]!.createdAt);
    expect(await listAccounts(paths, 'iflow')).toHaveLength(1);
    expect((await readTokenFile(again.account.tokenPath))?.api_key).toBe('sk-new');
  });

  it('gives two long e-mails with the same first 120 characters their own token files', async () => {
    const stem = 'a'.repeat(120);
    const one = await addAccount(paths, { email: `${stem}1@x.io` }, { apiKey: 'sk-one' });
    const two = await addAccount(paths, { email: `${stem}2@x.io` }, { apiKey: 'sk-two' });
    expect(one.account.tokenPath).not.toBe(two.account.tokenPath);
    expect((await readTokenFile(one.account.tokenPath))?.api_key).toBe('sk-one');
    expect((await readTokenFile(two.account.tokenPath))?.api_key).toBe('sk-two');
  });

  it('keeps the token file an entry names when the account logs in again', async () => {
    const email = `${'b'.repeat(130)}@x.io`;
    const { account } = await addAccount(paths, { email });
    // As the old rule named it: the id cut at 120 characters, no hash.
    const oldName = `iflow-${'b'.repeat(120)}.json`;
    await rename(account.tokenPath, path.join(paths.authDir, oldName));
    const file = await readAccountsFile(paths);
    file.providers.iflow!.accounts[email]!.tokenFile = oldName;
    await writeFileAtomic(paths.accountsFile, JSON.stringify(file));

    const again = await addAccount(paths, { email }, { apiKey: 'sk-again' });
    expect(path.basename(again.account.tokenPath)).toBe(oldName);
    expect(await readdir(paths.authDir)).toEqual([oldName]);
    expect((await readTokenFile(again.account.tokenPath))?.api_key).toBe('sk-again');
  });

  it('lists the default first, then by creation time', async () => {
    await addAccount(paths, { email: 'a@x.io' }, { now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, { email: 'c@x.io' }, { now: '2026-05-01T12:00:00Z' });
    await addAccount(paths, { email: 'b@x.io' }, { now: '2026-05-01T11:00:00Z' });
    expect((await ccs('iflow', '--use', 'c')).code).toBe(0);

    const names = (await listAccounts(paths, 'iflow')).map((a) => a.nickname);
    expect(names).toEqual(['c', 'a', 'b']);
  });

  it('writes secrets 0600 in 0700 directories', async () => {
    const { account } = await addAccount(paths, { email: 'john@example.com' });
    const mode = async (file: string) => (await stat(file)).mode & 0o777;
    expect(await mode(account.tokenPath)).toBe(0o600);
    expect(await mode(paths.accountsFile)).toBe(0o600);
    expect(await mode(paths.authDir)).toBe(0o700);
    expect(await mode(paths.cliproxyDir)).toBe(0o700);
  });
});

describe('the account flags', () => {
  it('--use sets the default; an unknown name exits 1 listing the known ones', async () => {
    await addAccount(paths, { email: 'work@company.com' }, { now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, { email: 'personal@example.com' }, { now: '2026-05-01T11:00:00Z' });

    const ok = await ccs('iflow', '--use', 'personal');
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toBe('The default iflow account is now personal (personal@example.com).\n');
    expect((await readAccountsFile(paths)).providers.iflow?.default).toBe('personal@example.com');

    const unknown = await ccs('iflow', '--use', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'No iflow account is called "nobody". Known accounts: work, personal.\n',
    );
  });

  it('--use gives up waiting for a held accounts.json lock on Ctrl-C, changing nothing', async () => {
    await addAccount(paths, { email: 'work@company.com' }, { now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, { email: 'personal@example.com' }, { now: '2026-05-01T11:00:00Z' });
    // Held by a live process (this one) and fresh: not stale, so the command waits.
    const lock = `${paths.accountsFile}.lock`;
    await ensureDir(paths.cliproxyDir);
    await writeFile(lock, String(process.pid));

    const t = testContext(paths);
    const started = Date.now();
    const run = runCli(t.ctx, ['iflow', '--use', 'personal']);
    t.abort();
    expect(await run).toBe(130);
    // Without the signal the wait would last the lock's 15 s timeout.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(t.stderr()).toBe('Cancelled.\n');
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
    expect((await readAccountsFile(paths)).providers.iflow?.default).toBe('work@company.com');
  });

  it('--nickname renames the default; a taken name exits 1 and changes nothing', async () => {
    await addAccount(paths, { email: 'work@company.com' }, { now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, { email: 'personal@example.com' }, { now: '2026-05-01T11:00:00Z' });

    const renamed = await ccs('iflow', '--nickname', 'office');
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toBe(
      'Renamed the default iflow account (work@company.com) to office.\n',
    );

    const taken = await ccs('iflow', '--nickname', 'personal');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('"personal" is already used by another iflow account');
    expect(taken.stderr).toContain('`ccs iflow --accounts` lists the ones in use.');
    const names = (await listAccounts(paths, 'iflow')).map((a) => a.nickname);
    expect(names).toEqual(['office', 'personal']);
  });

  it('--nickname with no accounts says how to add one', async () => {
    const result = await ccs('iflow', '--nickname', 'x');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('No iflow accounts yet. Run `ccs iflow --auth` to add one.\n');
  });

  it('--logout removes every account and token file and says how many', async () => {
    const one = await addAccount(paths, { email: 'a@x.io' });
    const two = await addAccount(paths, { email: 'b@x.io' });

    const result = await ccs('iflow', '--logout');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('Logged out: removed 2 iflow accounts and their tokens.\n');
    await expect(stat(one.account.tokenPath)).rejects.toThrow(/ENOENT/);
    await expect(stat(two.account.tokenPath)).rejects.toThrow(/ENOENT/);
    expect(await listAccounts(paths, 'iflow')).toEqual([]);

    expect((await ccs('iflow', '--logout')).stdout).toBe('No iflow accounts to remove.\n');
  });

  it("--logout also deletes token files no entry names, but not another provider's", async () => {
    const kept = await addAccount(paths, { email: 'a@x.io' });
    const stray = paths.tokenFile('iflow', 'gone@x.io');
    await writeFileAtomic(stray, `${JSON.stringify({ ...tokens('gone'), type: 'iflow' })}\n`);
    // A provider whose id starts like iflow's: its file must survive iflow's logout.
    const other = paths.tokenFile('iflow-work', 'b@x.io');
    await writeFileAtomic(other, `${JSON.stringify({ ...tokens('b'), type: 'iflow-work' })}\n`);

    const result = await ccs('iflow', '--logout');
    expect(result.stdout).toBe(
      'Logged out: removed 1 iflow account and their tokens, ' +
        'and 1 stray iflow token file (no account named them).\n',
    );
    await expect(stat(kept.account.tokenPath)).rejects.toThrow(/ENOENT/);
    await expect(stat(stray)).rejects.toThrow(/ENOENT/);
    expect((await stat(other)).isFile()).toBe(true);
  });

  it('--accounts prints the documented shape, phone-only accounts with their mask', async () => {
    expect((await ccs('iflow', '--accounts')).stdout).toBe(
      'No iflow accounts yet. Run `ccs iflow --auth` to add one.\n',
    );
    await addAccount(paths, { email: 'work@company.com' }, { now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, { email: 'personal@example.com' }, { now: '2026-05-01T11:00:00Z' });
    await addAccount(paths, { email: '', phone: '138****5678' }, { now: '2026-05-01T11:30:00Z' });

    const result = await ccs('iflow', '--accounts');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Accounts for iflow:',
        '  [default] work (work@company.com)',
        '  personal (personal@example.com)',
        '  phone-5678 (138****5678)',
        '',
      ].join('\n'),
    );
  });
});
