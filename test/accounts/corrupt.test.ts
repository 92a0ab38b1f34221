import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/commands/run.js';
import { CorruptFileError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/fs/atomic.js';
import type { CcsPaths } from '../../src/home.js';
import { readSettings, writeSettings } from '../../src/settings.js';
import { addAccount, tempHome, testContext } from '../cli/helpers.js';

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

/** Runs `argv` against a broken `file` and checks: exit 1, file named, bytes unchanged. */
async function expectRefusal(file: string, content: string, argv: string[], problem: RegExp) {
  await writeFileAtomic(file, content);
  const before = await readFile(file);
  const result = await ccs(...argv);

  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(`${file} is not valid`);
  expect(result.stderr).toMatch(problem);
  expect(result.stderr).toContain('ccs left it exactly as it was');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(Buffer.compare(await readFile(file), before)).toBe(0);
}

describe('a corrupt accounts.json', () => {
  const broken = '{"version": 1, "providers": {"iflow": ';

  for (const argv of [
    ['iflow', '--accounts'],
    ['iflow', '--accounts', '--json'],
    ['iflow', '--use', 'work'],
    ['iflow', '--nickname', 'work'],
    ['iflow', '--logout'],
    ['iflow', '--auth'],
  ]) {
    it(`stops \`ccs ${argv.join(' ')}\` and is left untouched`, async () => {
      await expectRefusal(paths.accountsFile, broken, argv, /not JSON/);
    });
  }

  it('names the field that fails the schema', async () => {
    const file = JSON.stringify({
      version: 1,
      providers: { iflow: { default: 'x', accounts: {} } },
    });
    await expectRefusal(
      paths.accountsFile,
      file,
      ['iflow', '--accounts'],
      /field `providers\.iflow\.default`: names account "x"/,
    );
  });

  it('refuses a token file that is not a bare file name in cliproxy/auth', async () => {
    const { account } = await addAccount(paths, { email: 'work@company.com' });
    const file = JSON.parse(await readFile(paths.accountsFile, 'utf8'));
    const id = account.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const tokenFile of ['../stolen.json', '/tmp/x.json', 'sub/x.json', 'x.txt', '']) {
      file.providers.iflow.accounts[account.id].tokenFile = tokenFile;
      await expectRefusal(
        paths.accountsFile,
        JSON.stringify(file),
        ['iflow', '--accounts'],
        new RegExp(`field \`providers\\.iflow\\.accounts\\.${id}\\.tokenFile\`: must be`),
      );
    }
  });
});

describe('a corrupt token file', () => {
  it('stops --accounts naming the token file, and is left untouched', async () => {
    const { account } = await addAccount(paths, { email: 'work@company.com' });
    const text = JSON.stringify({ type: 'iflow', access_token: 7 });
    await expectRefusal(account.tokenPath, text, ['iflow', '--accounts'], /field `access_token`/);
  });
});

describe('a corrupt config.yaml', () => {
  it('stops --auth before any code is requested, and is left untouched', async () => {
    await expectRefusal(
      paths.configFile,
      'providers:\n  iflow:\n    auth_url: [unclosed\n',
      ['iflow', '--auth'],
      /not YAML/,
    );
  });

  it('names a managed key with a bad value', async () => {
    await expectRefusal(
      paths.configFile,
      'proxy:\n  port: "eighty"\n',
      ['iflow', '--auth'],
      /field `proxy\.port`/,
    );
  });
});

describe('settings', () => {
  it('are created on first use with the default env, 0600', async () => {
    const settings = await readSettings(paths, 'iflow');
    expect(settings).toEqual({
      env: { ANTHROPIC_MODEL: 'qwen3-coder-plus', ANTHROPIC_MAX_TOKENS: '8192' },
    });
    const file = paths.settingsFile('iflow');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(settings);
    const { stat } = await import('node:fs/promises');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('of a preset start from its default model; of an unknown provider, empty', async () => {
    const preset = await readSettings(paths, 'deepseek');
    expect(preset.env.ANTHROPIC_MODEL).toMatch(/\S/);
    expect(preset.env.ANTHROPIC_MODEL).not.toBe('qwen3-coder-plus');
    expect(await readSettings(paths, 'mygateway')).toEqual({ env: {} });
  });

  it('write the env and keep keys ccs does not know', async () => {
    const file = paths.settingsFile('iflow');
    await writeFile(file, JSON.stringify({ env: { A: '1' }, note: 'mine' }));
    await writeSettings(paths, 'iflow', { env: { ANTHROPIC_MODEL: 'glm-4.6', B: 'two' } });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      env: { ANTHROPIC_MODEL: 'glm-4.6', B: 'two' },
      note: 'mine',
    });
    expect(await readSettings(paths, 'iflow')).toEqual({
      env: { ANTHROPIC_MODEL: 'glm-4.6', B: 'two' },
    });
  });

  it('refuse invalid settings before touching the file', async () => {
    await readSettings(paths, 'iflow');
    const file = paths.settingsFile('iflow');
    const before = await readFile(file);
    await expect(
      writeSettings(paths, 'iflow', { env: { ANTHROPIC_MAX_TOKENS: 'lots' } }),
    ).rejects.toThrow(/ANTHROPIC_MAX_TOKENS: must be a whole number/);
    await expect(writeSettings(paths, 'iflow', { env: { 'BAD NAME': 'x' } })).rejects.toThrow(
      /"BAD NAME" is not an environment variable name/,
    );
    expect(Buffer.compare(await readFile(file), before)).toBe(0);
  });

  for (const [what, content] of [
    ['not JSON', '{"env": {'],
    ['a non-string value', '{"env": {"ANTHROPIC_MODEL": 5}}'],
    ['no env', '{"model": "x"}'],
  ] as const) {
    it(`that are ${what} throw CorruptFileError naming the file, never reset it`, async () => {
      const file = paths.settingsFile('iflow');
      await writeFile(file, content);
      const error = await readSettings(paths, 'iflow').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptFileError);
      expect((error as CorruptFileError).file).toBe(file);
      expect((error as CorruptFileError).exitCode).toBe(1);
      await expect(writeSettings(paths, 'iflow', { env: {} })).rejects.toThrow(file);
      expect(await readFile(file, 'utf8')).toBe(content);
    });
  }
});
