import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import { readTokenFile } from '../../src/accounts/token-store.js';
import type { CcsPaths } from '../../src/home.js';
import { tempHome } from '../cli/helpers.js';
import { assertBuilt, ROOT } from '../cli/run-binary.js';

let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeAll(() => assertBuilt());
beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

const PER_PROCESS = 12;

/**
 * A separate Node process that records PER_PROCESS logins through the built
 * registry. Both writers use the same e-mail local parts (`user0@a.io` and
 * `user0@b.io`), so they also race for the same auto nicknames.
 */
function writer(domain: string) {
  const registry = pathToFileURL(path.join(ROOT, 'dist/src/accounts/registry.js')).href;
  const home = pathToFileURL(path.join(ROOT, 'dist/src/home.js')).href;
  const script = `
    const { recordLogin } = await import(${JSON.stringify(registry)});
    const { ccsPaths } = await import(${JSON.stringify(home)});
    const paths = ccsPaths(${JSON.stringify(paths.home)});
    // Start together: say ready, then wait for the go line on stdin.
    process.stdout.write('ready\\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.pause();
    for (let i = 0; i < ${PER_PROCESS}; i++) {
      const now = new Date();
      await recordLogin(paths, 'iflow', {
        identity: { email: 'user' + i + '@${domain}' },
        tokens: {
          access_token: 'at', refresh_token: 'rt', api_key: 'sk-${domain}-' + i,
          expired: new Date(now.getTime() + 86400000 * 2).toISOString(),
          last_refresh: now.toISOString(), token_type: 'Bearer', scope: '',
        },
        now,
      });
    }
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const done = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { ready, go: () => child.stdin.end('go\n'), done };
}

describe('two processes adding accounts at once', () => {
  it('lose no entry and never hand out a nickname twice', async () => {
    const writers = [writer('a.io'), writer('b.io')];
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.go();
    const codes = await Promise.all(writers.map((w) => w.done));
    expect(codes).toEqual([0, 0]);

    const accounts = await listAccounts(paths, 'iflow');
    expect(accounts).toHaveLength(2 * PER_PROCESS);
    const nicknames = accounts.map((a) => a.nickname);
    expect(new Set(nicknames).size).toBe(nicknames.length);
    for (let i = 0; i < PER_PROCESS; i++) {
      expect(nicknames.filter((n) => n === `user${i}` || n === `user${i}-2`)).toHaveLength(2);
    }
    expect(accounts.filter((a) => a.isDefault)).toHaveLength(1);
    for (const account of accounts) {
      expect((await readTokenFile(account.tokenPath))?.email).toBe(account.email);
    }
  });
});
