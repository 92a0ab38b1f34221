import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import { runCli } from '../../src/commands/run.js';
import { readConfig } from '../../src/config/config-file.js';
import type { CcsPaths } from '../../src/home.js';
import { knownProviderIds } from '../../src/providers/registry.js';
import { readSettings } from '../../src/settings.js';
import { tempHome, testContext } from '../cli/helpers.js';

/*
 * Every account command for a provider defined in config.yaml and for the
 * shipped presets, in-process against a temporary home.
 */

let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

async function ccs(argv: string[], input = '') {
  const t = testContext(paths);
  t.stdin.end(input);
  const code = await runCli(t.ctx, argv);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

async function writeConfig(document: unknown): Promise<void> {
  await mkdir(path.dirname(paths.configFile), { recursive: true });
  await writeFile(paths.configFile, yaml.dump(document));
}

const GATEWAY = {
  kind: 'api-key',
  display_name: 'Team gateway',
  api_url: 'http://127.0.0.1:9/v1',
  default_model: 'team-coder',
  models: [{ id: 'team-coder', max_tokens: 16384 }, 'team-small'],
};

describe('a provider defined in config.yaml', () => {
  it('takes --auth --api-key, --accounts, --use, --nickname and --logout', async () => {
    await writeConfig({ proxy: { port: 9999 }, providers: { team: GATEWAY } });

    expect(await ccs(['team', '--auth', '--api-key'], 'sk-team-aaaa')).toMatchObject({
      code: 0,
      stdout: 'Saved the Team gateway API key as key-aaaa.\n',
    });
    expect((await ccs(['team', '--auth', '--add', '--nickname', 'two'], 'sk-team-bbbb')).code).toBe(
      0,
    );
    const [first] = await listAccounts(paths, 'team');
    expect(path.basename(first!.tokenPath)).toMatch(/^team-.+\.json$/);

    const listed = await ccs(['team', '--accounts']);
    expect(listed.stdout).toMatch(/^Accounts for team:\n/);
    expect(listed.stdout).toMatch(/\[default\] key-aaaa/);
    expect(listed.stdout).toMatch(/\n {2}two /);

    expect((await ccs(['team', '--use', 'two'])).stdout).toMatch(/default team account is now two/);
    expect((await ccs(['team', '--nickname', 'main'])).code).toBe(0);
    expect((await listAccounts(paths, 'team')).map((a) => a.nickname).sort()).toEqual([
      'key-aaaa',
      'main',
    ]);
    expect((await ccs(['team', '--logout'])).stdout).toBe(
      'Logged out: removed 2 team accounts and their tokens.\n',
    );
  });

  it('starts its settings from its default model and that model’s output limit', async () => {
    await writeConfig({ providers: { team: GATEWAY } });
    expect(await readSettings(paths, 'team')).toEqual({
      env: { ANTHROPIC_MODEL: 'team-coder', ANTHROPIC_MAX_TOKENS: '16384' },
    });
    const file = JSON.parse(await readFile(paths.settingsFile('team'), 'utf8'));
    expect(file.env.ANTHROPIC_MODEL).toBe('team-coder');
  });

  it('--help describes its kind', async () => {
    await writeConfig({ providers: { team: GATEWAY, lab: { ...GATEWAY, api_key: 'none' } } });
    const team = await ccs(['team', '--help']);
    expect(team.stdout).toMatch(/^Usage: ccs team /);
    expect(team.stdout).toContain('store an API key read from standard input');
    expect(team.stdout).toContain('Team gateway at http://127.0.0.1:9/v1');
    expect(team.stdout).toContain('CCS_TEAM_API_URL');
    const lab = await ccs(['lab', '--help']);
    expect(lab.stdout).toContain('nothing to log in to');
    const iflow = await ccs(['iflow', '--help']);
    expect(iflow.stdout).toContain('log in with a device code');
  });

  it('a bad option is an error naming config.yaml and the key', async () => {
    await writeConfig({ providers: { team: { ...GATEWAY, signing: 'md5' } } });
    const result = await ccs(['team', '--auth', '--api-key'], 'sk-x');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(paths.configFile);
    expect(result.stderr).toContain('providers.team');
    expect(result.stderr).toContain('signing');
  });

  it('a device-code entry taking its credential from user info must say where that is', async () => {
    const entry = {
      kind: 'device-code',
      client_id: 'c',
      device_authorization_endpoint: 'http://127.0.0.1:9/device',
      token_endpoint: 'http://127.0.0.1:9/token',
      credential: 'userinfo:api_key',
      api_url: 'http://127.0.0.1:9/v1',
      models: ['m'],
    };
    await writeConfig({ providers: { corp: entry } });
    const result = await ccs(['corp', '--auth']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('providers.corp');
    expect(result.stderr).toContain('needs `userinfo_endpoint`');
  });
});

describe('presets', () => {
  it('a preset joins config.yaml at its first login, keeping every other key', async () => {
    await writeConfig({ proxy: { port: 9999 }, custom: { kept: true } });
    const before = await ccs(['deepseek', '--accounts']);
    expect(before.stdout).toBe(
      'deepseek is a preset that is not set up yet. ' +
        'Run `ccs deepseek --auth` to add it and its first account.\n',
    );
    expect(Object.keys((await readConfig(paths.configFile)).providers)).toEqual([]);

    expect((await ccs(['deepseek', '--auth', '--api-key'], 'sk-deep-1234')).code).toBe(0);
    const document = yaml.load(await readFile(paths.configFile, 'utf8')) as Record<string, unknown>;
    expect(document).toEqual({
      proxy: { port: 9999 },
      custom: { kept: true },
      providers: { deepseek: { preset: 'deepseek' } },
    });
    const after = await ccs(['deepseek', '--accounts']);
    expect(after.stdout).toMatch(/^Accounts for deepseek:\n {2}\[default\] key-1234/);

    // A setting of its own in config.yaml overrides the preset, the rest still follows it.
    await writeConfig({ providers: { deepseek: { preset: 'deepseek', default_model: 'x-1' } } });
    expect(await readSettings(paths, 'deepseek')).toEqual({
      env: { ANTHROPIC_MODEL: 'x-1', ANTHROPIC_MAX_TOKENS: '8192' },
    });
  });

  it('a keyless preset: --auth says there is nothing to log in to, exit 0, and adds it', async () => {
    const result = await ccs(['ollama', '--auth']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Ollama (local) takes no key: there is nothing to log in to.');
    expect((await readConfig(paths.configFile)).providers.ollama?.raw).toEqual({
      preset: 'ollama',
    });
    const accounts = await ccs(['ollama', '--accounts']);
    expect(accounts.stdout).toBe('Accounts for ollama:\n  [default] local (no key needed)\n');
    const json = JSON.parse((await ccs(['ollama', '--accounts', '--json'])).stdout);
    expect(json).toMatchObject({ provider: 'ollama', default: 'local' });
    expect(Object.keys(json.accounts[0]).sort()).toEqual([
      'createdAt',
      'default',
      'email',
      'expires',
      'keyless',
      'lastUsedAt',
      'nickname',
      'phone',
      'state',
    ]);
  });

  it('an entry may start from a preset under another id', async () => {
    await writeConfig({
      providers: {
        'deep-work': { preset: 'deepseek', display_name: 'DeepSeek (work)' },
        bad: { preset: 'nope' },
      },
    });
    const config = { ...(await readConfig(paths.configFile)), file: paths.configFile };
    expect(knownProviderIds(config)).toContain('deep-work');
    const saved = await ccs(['deep-work', '--auth', '--api-key'], 'sk-w-9999');
    expect(saved.stdout).toBe('Saved the DeepSeek (work) API key as key-9999.\n');
    const bad = await ccs(['bad', '--auth', '--api-key'], 'sk-x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('providers.bad.preset: "nope" is not a preset');
  });

  it('the settings of a preset start from its default model', async () => {
    expect(await readSettings(paths, 'moonshot')).toEqual({
      env: { ANTHROPIC_MODEL: 'kimi-k2-turbo-preview', ANTHROPIC_MAX_TOKENS: '32768' },
    });
  });
});

describe('an unknown provider id', () => {
  it('is a usage error listing the known ones, config.yaml’s included', async () => {
    await writeConfig({ providers: { team: GATEWAY } });
    const result = await ccs(['nosuch', '--auth']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ccs: "nosuch" is neither a provider nor a command\. Known providers: iflow, team, deepseek, openrouter, moonshot, ollama\./,
    );
  });
});
