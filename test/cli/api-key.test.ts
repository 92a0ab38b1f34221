import { readFile, stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import { runCli } from '../../src/commands/run.js';
import type { CcsPaths } from '../../src/home.js';
import { tempHome, testContext } from './helpers.js';

let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

async function ccs(argv: string[], input: string) {
  const t = testContext(paths);
  t.stdin.end(input);
  const code = await runCli(t.ctx, argv);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

describe('--auth --api-key for API-key providers', () => {
  it('stores the key from standard input as an account, 0600, never echoing it', async () => {
    const saved = await ccs(['deepseek', '--auth', '--api-key'], '\n  sk-live-1234abcd  \n');
    expect(saved).toMatchObject({ code: 0, stderr: '' });
    // The first login to a preset says it joined config.yaml.
    expect(saved.stdout).toBe(
      `Saved the DeepSeek API key as key-abcd.\nAdded deepseek to ${paths.configFile}.\n`,
    );
    expect(saved.stdout).not.toContain('sk-live');

    const [account] = await listAccounts(paths, 'deepseek');
    const tokens = JSON.parse(await readFile(account!.tokenPath, 'utf8'));
    expect(tokens.api_key).toBe('sk-live-1234abcd');
    expect((await stat(account!.tokenPath)).mode & 0o777).toBe(0o600);

    // The same key again is the same account.
    const again = await ccs(['deepseek', '--auth', '--add', '--api-key'], 'sk-live-1234abcd');
    expect(again.stdout).toBe('Updated the DeepSeek API key as key-abcd.\n');
    expect(await listAccounts(paths, 'deepseek')).toHaveLength(1);
  });

  it('lists an API-key account with no phone and no expiry, named by its fingerprint', async () => {
    await ccs(['deepseek', '--auth', '--api-key'], 'sk-live-1234abcd');
    const [account] = await listAccounts(paths, 'deepseek');

    const json = await ccs(['deepseek', '--accounts', '--json'], '');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      provider: 'deepseek',
      default: 'key-abcd',
      accounts: [
        {
          nickname: 'key-abcd',
          email: null,
          phone: null,
          default: true,
          state: 'ok',
          expires: null,
          createdAt: account!.createdAt,
          lastUsedAt: null,
        },
      ],
    });

    const text = await ccs(['deepseek', '--accounts'], '');
    expect(text.stdout).toMatch(
      /^Accounts for deepseek:\n {2}\[default\] key-abcd \(API key key-[0-9a-f]{12}\)\n$/,
    );
    expect(text.stdout).not.toContain('sk-live');
  });

  it('names the account with --nickname, and refuses a second key without --add', async () => {
    const named = await ccs(['deepseek', '--auth', '--nickname', 'team'], 'sk-one');
    expect(named.stdout).toMatch(/^Saved the DeepSeek API key as team\.\n/);
    const refused = await ccs(['deepseek', '--auth', '--api-key'], 'sk-two');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Run `ccs deepseek --auth --add`');
  });

  it('an empty standard input is a clear error', async () => {
    const result = await ccs(['deepseek', '--auth', '--api-key'], '\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'No API key for DeepSeek on standard input. ' +
        'Pipe it in, e.g. `ccs deepseek --auth --api-key < key.txt`.\n',
    );
    expect(await listAccounts(paths, 'deepseek')).toEqual([]);
  });

  it('Ctrl-C ends the wait for a pipe that never closes', async () => {
    const t = testContext(paths);
    const running = runCli(t.ctx, ['deepseek', '--auth', '--api-key']);
    // Nothing arrives and the pipe stays open, as with `sleep 60 | ccs …`.
    // Abort once the command is reading, so the test is of the wait itself.
    await vi.waitFor(() => expect(t.stdin.listenerCount('data')).toBeGreaterThan(0));
    t.abort();
    expect(await running).toBe(130);
    expect(t.stderr()).toBe('Cancelled.\n');
    expect(await listAccounts(paths, 'deepseek')).toEqual([]);
  });

  it('a provider without a key has nothing to log in to: exit 0', async () => {
    const result = await ccs(['ollama', '--auth'], '');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('takes no key: there is nothing to log in to.');
  });

  it('--api-key on a device-code provider is a usage error', async () => {
    const result = await ccs(['iflow', '--auth', '--api-key'], 'sk-x');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ccs: iFlow logs in with a device code; --api-key is for/);
  });
});
