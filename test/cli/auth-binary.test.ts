import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import { type CcsPaths, ccsPaths } from '../../src/home.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { addAccount } from './helpers.js';
import { assertBuilt, runCcs } from './run-binary.js';

let home: string;
let paths: CcsPaths;
let sim: Simulator;

beforeAll(() => assertBuilt());
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'ccs-auth-'));
  paths = ccsPaths(home);
  sim = await startSimulator({ codeLifetimeSec: 600, intervalSec: 1 });
});
afterEach(async () => {
  await sim.close();
  await rm(home, { recursive: true, force: true });
});

async function control(route: string, body: object): Promise<void> {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`/_sim/${route}: ${res.status} ${await res.text()}`);
}

/**
 * Runs `ccs iflow --auth …` without a terminal against the simulator and,
 * once the user code is on stdout, decides it through the control route the
 * way a person would on the /device page.
 */
function auth(args: string[], decide: (userCode: string) => Promise<void>) {
  let decided = false;
  let decision: Promise<void> = Promise.resolve();
  const run = runCcs(['iflow', '--auth', ...args], {
    env: { CCS_HOME: home, CCS_IFLOW_AUTH_URL: sim.authUrl, CCS_IFLOW_API_URL: sim.apiUrl },
    onStdout: (_text, all) => {
      const code = /Enter code: (\S+)\n/.exec(all)?.[1];
      if (code && !decided) {
        decided = true;
        decision = decide(code);
      }
    },
  });
  return run.then(async (result) => {
    await decision;
    return result;
  });
}

/** The block of issue 2, with the simulator's verification URL and the code shown. */
function block(stdout: string): { userCode: string; countdown: string } {
  const userCode = /Enter code: (\S+)/.exec(stdout)?.[1] ?? '<none>';
  const lines = stdout.split('\n');
  expect(lines.slice(0, 6)).toEqual([
    'Authenticate with iFlow:',
    `1. Open ${sim.url}/device`,
    `2. Enter code: ${userCode}`,
    '3. Authorize CCS CLI access',
    '',
    'Waiting for authorization...',
  ]);
  return { userCode, countdown: lines[6] ?? '' };
}

describe('ccs iflow --auth without a terminal, against the simulator', () => {
  it('prints the block, a countdown line, and the login line; exit 0', async () => {
    const result = await auth([], (userCode) =>
      control('approve', { userCode, email: 'john@example.com' }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { countdown } = block(result.stdout);
    // 10:00 unless the machine stalled for a second between code and first line.
    expect(countdown).toMatch(/^Code expires in (10:00|9:5\d)$/);
    expect(result.stdout.split('\n').slice(7)).toEqual([
      'Logged in to iFlow as john (john@example.com).',
      '',
    ]);

    const accounts = await listAccounts(paths, 'iflow');
    expect(accounts.map((a) => [a.nickname, a.email, a.isDefault])).toEqual([
      ['john', 'john@example.com', true],
    ]);
    expect((await stat(accounts[0]!.tokenPath)).mode & 0o777).toBe(0o600);
  });

  it('--auth --add --nickname names another account; a phone-only one shows its mask', async () => {
    await addAccount(paths, { email: 'work@company.com' }, { nickname: 'work' });
    const result = await auth(['--add', '--nickname', 'mobile'], (userCode) =>
      control('approve', { userCode, phone: '13812345678' }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    block(result.stdout);
    expect(result.stdout).toMatch(/\nLogged in to iFlow as mobile \(138\*\*\*\*5678\)\.\n$/);
    const names = (await listAccounts(paths, 'iflow')).map((a) => [a.nickname, a.isDefault]);
    expect(names).toEqual([
      ['work', true],
      ['mobile', false],
    ]);
  });

  it('a denial prints a plain refusal and exits 1, adding nothing', async () => {
    const result = await auth([], (userCode) => control('deny', { userCode }));
    expect(result.code).toBe(1);
    block(result.stdout);
    expect(result.stdout).not.toContain('Logged in');
    expect(result.stderr).toBe(
      'The login was denied in the browser; no iFlow account was added. ' +
        'Run the same command again to try once more.\n',
    );
    expect(await listAccounts(paths, 'iflow')).toEqual([]);
  });

  it('an expired code says so with the next step and exits 1', async () => {
    await control('config', { codeLifetimeSec: 3 });
    const result = await auth([], async () => {});
    expect(result.code).toBe(1);
    const { countdown } = block(result.stdout);
    expect(countdown).toMatch(/^Code expires in 0:0[1-3]$/);
    expect(result.stdout.split('\n').slice(7)).toEqual(['']);
    expect(result.stderr).toBe(
      'Device code expired before authorization. Run the same command again for a new code.\n',
    );
  });

  it('Ctrl-C exits 130 and leaves no file behind', async () => {
    let sent = false;
    const result = await runCcs(['iflow', '--auth'], {
      env: { CCS_HOME: home, CCS_IFLOW_AUTH_URL: sim.authUrl, CCS_IFLOW_API_URL: sim.apiUrl },
      onStdout: (_text, all, child) => {
        if (!sent && all.includes('Code expires in')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toBe('Cancelled.\n');
    await expect(readdir(paths.cliproxyDir)).rejects.toThrow(/ENOENT/);
  });
});
