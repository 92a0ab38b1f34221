import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDER_FLAGS } from '../../src/args.js';
import { type CcsPaths, ccsPaths } from '../../src/home.js';
import { addAccount } from './helpers.js';
import { assertBuilt, ROOT, runCcs } from './run-binary.js';

let home: string;
let paths: CcsPaths;

beforeAll(() => assertBuilt());
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'ccs-bin-'));
  paths = ccsPaths(home);
});
afterEach(() => rm(home, { recursive: true, force: true }));

const ccs = (...args: string[]) => runCcs(args, { env: { CCS_HOME: home } });

describe('ccs --help and --version', () => {
  it('--help lists every command and exits 0', async () => {
    const result = await ccs('--help');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const word of ['ccs config', 'simulator', 'demo', '--help', '--version', 'iflow']) {
      expect(result.stdout).toContain(word);
    }
    expect(result.stdout).toContain('2026-04-17');
    expect(result.stdout).toContain('CCS_IFLOW_AUTH_URL');
  });

  it('ccs <provider> --help lists every flag the parser reads for its kind', async () => {
    // iFlow logs in with a device code and refuses --api-key, so its help omits it.
    const iflow = await ccs('iflow', '--help');
    expect(iflow.code).toBe(0);
    for (const flag of PROVIDER_FLAGS.filter((f) => f !== '--api-key')) {
      expect(iflow.stdout).toContain(flag);
    }
    expect(iflow.stdout).not.toContain('--api-key');
    expect(iflow.stdout).toMatch(/^Usage: ccs iflow /);

    const keyed = await ccs('deepseek', '--help');
    for (const flag of PROVIDER_FLAGS) expect(keyed.stdout).toContain(flag);
  });

  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(await ccs('--version')).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('ccs with no terminal prints the help on stderr and exits 2', async () => {
    const result = await ccs();
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: ccs');
    expect(result.stderr).toContain('ccs config');
  });

  it('ccs config with no terminal says so and names the files to edit, exit 1', async () => {
    const result = await ccs('config');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `\`ccs config\` is full-screen and needs a terminal. Edit ${home}/<provider>.settings.json ` +
        `or ${paths.configFile} by hand, or run it in a terminal.\n`,
    );
  });

  it('does not create the config home for --help', async () => {
    const fresh = path.join(home, 'not-yet');
    await runCcs(['--help'], { env: { CCS_HOME: fresh } });
    await expect(readFile(fresh)).rejects.toThrow(/ENOENT/);
  });
});

describe('usage errors exit 2 with the usage line', () => {
  for (const [argv, message] of [
    [['--bogus'], 'ccs: Unknown option --bogus.'],
    [['nosuch'], 'ccs: "nosuch" is neither a provider nor a command.'],
    [['iflow', '--use'], 'ccs: --use needs a nickname.'],
    [['iflow', '--nickname', 'no way'], 'ccs: "no way" is not a valid nickname'],
    [['iflow', '--accounts', 'review this code'], 'ccs: --accounts is a command of its own'],
    [['iflow', '--auth', '--logout'], 'ccs: --auth and --logout are separate commands'],
  ] as const) {
    it(`ccs ${argv.join(' ')}`, async () => {
      const result = await ccs(...argv);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith(message)).toBe(true);
      expect(result.stderr).toMatch(/\nUsage: ccs /);
    });
  }
});

describe('the account flags on the real binary', () => {
  it('--accounts prints text and JSON', async () => {
    await addAccount(paths, { email: 'work@company.com' }, { now: '2026-05-01T10:00:00Z' });
    await addAccount(paths, { email: 'personal@example.com' }, { now: '2026-05-01T11:00:00Z' });

    const text = await ccs('iflow', '--accounts');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toBe(
      'Accounts for iflow:\n  [default] work (work@company.com)\n  personal (personal@example.com)\n',
    );

    const json = await ccs('iflow', '--accounts', '--json');
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout);
    expect(document.provider).toBe('iflow');
    expect(document.default).toBe('work');
    expect(document.accounts.map((a: { nickname: string }) => a.nickname)).toEqual([
      'work',
      'personal',
    ]);
  });

  it('a corrupt accounts.json: exit 1, one line naming the file, file unchanged', async () => {
    const broken = '{"version": 1, "providers": ';
    await addAccount(paths, { email: 'work@company.com' });
    await writeFile(paths.accountsFile, broken);
    const result = await ccs('iflow', '--use', 'work');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^${paths.accountsFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid`),
    );
    expect(await readFile(paths.accountsFile, 'utf8')).toBe(broken);
  });
});

describe('--auth when accounts exist, without a terminal', () => {
  let server: Server;
  let requests = 0;
  let authUrl: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    authUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses before requesting any code, exit 1, naming --add', async () => {
    await addAccount(paths, { email: 'work@company.com' }, { nickname: 'work' });
    const result = await runCcs(['iflow', '--auth'], {
      env: { CCS_HOME: home, CCS_IFLOW_AUTH_URL: authUrl },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'iFlow already has an account (work). Run `ccs iflow --auth --add` to add another one.\n',
    );
    expect(requests).toBe(0);
  });
});

describe('the account flags start light', () => {
  it('ccs iflow --accounts loads no React, Ink, proxy, OAuth client or undici', async () => {
    await addAccount(paths, { email: 'work@company.com' });
    const log = path.join(home, 'modules.txt');
    const hooks = path.join(home, 'hooks.mjs');
    const register = path.join(home, 'register.mjs');
    // A resolve hook records every module the process loads.
    await writeFile(
      hooks,
      `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
`,
    );
    await writeFile(
      register,
      `import { register } from 'node:module';
register(${JSON.stringify(`file://${hooks}`)}, { data: { log: ${JSON.stringify(log)} } });
`,
    );

    const result = await runCcs(['iflow', '--accounts'], {
      env: { CCS_HOME: home },
      nodeArgs: ['--import', register],
    });
    expect(result.code).toBe(0);
    const loaded = (await readFile(log, 'utf8')).split('\n');

    // The hook works: it saw the command module itself.
    expect(loaded.some((url) => url.endsWith('/dist/src/commands/accounts.js'))).toBe(true);
    const heavy = loaded.filter((url) =>
      /\/node_modules\/(ink|react|ink-[a-z-]+|undici|oauth4webapi|qrcode|js-yaml)\/|\/dist\/(screens|hooks)\/|\/dist\/src\/(proxy|launch|auth|simulator)\//.test(
        url,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it('the bundled ccs iflow --accounts parses under 400 kB of JavaScript', async () => {
    await addAccount(paths, { email: 'work@company.com' });
    const bundle = path.join(ROOT, 'dist/bin/ccs.js');
    const log = path.join(home, 'bundle-modules.txt');
    const hooks = path.join(home, 'bundle-hooks.mjs');
    const register = path.join(home, 'bundle-register.mjs');
    await writeFile(
      hooks,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}
`,
    );
    await writeFile(
      register,
      `import { register } from 'node:module';
register(${JSON.stringify(`file://${hooks}`)});
`,
    );
    const child = spawnSync(
      process.execPath,
      ['--import', register, bundle, 'iflow', '--accounts'],
      {
        env: { PATH: process.env.PATH, CCS_HOME: home },
      },
    );
    expect(child.status).toBe(0);
    const files = new Set(
      (await readFile(log, 'utf8'))
        .split('\n')
        .filter((url) => url.startsWith('file:') && url.includes('/dist/bin/')),
    );
    expect(files.size).toBeGreaterThan(1);
    let bytes = 0;
    for (const url of files) bytes += (await stat(fileURLToPath(url))).size;
    // All of zod's locales came along with \`import { z }\` (820 kB); \`import * as z\`
    // lets the bundler keep only what is used (about 260 kB).
    expect(bytes).toBeLessThan(400_000);
  });
});
