import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import {
  assertBuilt,
  baseEnv,
  CLI,
  readRecord,
  runCcsOnTerminal,
  stopAll,
  type TempHome,
  tempHome,
} from './harness.js';

/*
 * An API-key provider on a real pseudo-terminal: the key is typed at a
 * hidden prompt (never echoed, even with stdout redirected), and a launch
 * without an account asks for it first, then runs claude.
 */

let home: TempHome;
const KEY = 'sk-typed-5f3a9c';

beforeAll(() => assertBuilt());
beforeEach(async () => {
  home = await tempHome();
  await mkdir(path.dirname(home.paths.configFile), { recursive: true });
  // Port 9 (discard) refuses: nothing in these tests talks to the provider.
  await writeFile(
    home.paths.configFile,
    'providers:\n  team:\n    kind: api-key\n    display_name: Team gateway\n' +
      '    api_url: http://127.0.0.1:9/v1\n    models: [team-coder]\n',
  );
});
afterEach(async () => {
  await stopAll();
  await home.cleanup();
});

async function storedKey(): Promise<string> {
  const [account] = await listAccounts(home.paths, 'team');
  return JSON.parse(await readFile(account!.tokenPath, 'utf8')).api_key;
}

describe('an API-key provider on a terminal', () => {
  it('asks for the key before a launch without an account, then runs claude', async () => {
    const record = path.join(home.dir, 'claude-record.json');
    const run = runCcsOnTerminal(
      ['team', '-p', 'after the key'],
      baseEnv(home, undefined, { FAKE_CLAUDE_RECORD: record, TERM: 'dumb' }),
    );
    await run.waitForStdout('API key for Team gateway (hidden): ');
    run.child.stdin!.write(`${KEY}\r`);

    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain('Saved the Team gateway API key as key-3a9c');
    expect(run.stdout()).not.toContain(KEY);
    expect(await storedKey()).toBe(KEY);
    expect((await readRecord(record)).argv).toEqual(['-p', 'after the key']);
  });

  it('hides the key when stdout is redirected but stdin is the terminal', async () => {
    const out = path.join(home.dir, 'out.txt');
    const command = `'${process.execPath}' '${CLI}' team --auth --api-key > '${out}'`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: baseEnv(home, undefined, { TERM: 'dumb' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const prompted = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        screen += chunk;
        if (screen.includes('(hidden): ')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await prompted;
    child.stdin.write(`${KEY}\r`);

    expect(await exited).toBe(0);
    expect(screen).not.toContain(KEY);
    expect(await readFile(out, 'utf8')).toBe('Saved the Team gateway API key as key-3a9c.\n');
    expect(await storedKey()).toBe(KEY);
  });
});
