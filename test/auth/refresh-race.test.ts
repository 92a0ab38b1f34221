import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/accounts/registry.js';
import { readTokenFile, updateTokenFile } from '../../src/accounts/token-store.js';
import type { CcsPaths } from '../../src/home.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { FakeClock } from './fake-clock.js';
import { control, loginThroughSim, simState, tempHome } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist');
const child = path.join(root, 'test/auth/refresh-child.mjs');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** The children run the built code; build it when src/ is newer than dist/. */
async function ensureBuilt(): Promise<void> {
  const built = await stat(path.join(dist, 'src/auth/refresh-account.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built > (await newestMtime(path.join(root, 'src')))) return;
  // Other parts of the tree may not type-check yet; tsc still emits.
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root }).catch(
    () => undefined,
  );
  await stat(path.join(dist, 'src/auth/refresh-account.js'));
}

interface Racer {
  process: ChildProcess;
  lines: AsyncIterator<string>;
}

async function startRacer(paths: CcsPaths, sim: Simulator, accountId: string): Promise<Racer> {
  const proc = spawn(
    process.execPath,
    [child, dist, paths.home, sim.authUrl, sim.apiUrl, accountId],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  expect(first.value).toBe('ready');
  return { process: proc, lines };
}

let sim: Simulator;
let paths: CcsPaths;
let cleanup: () => Promise<void>;
let account: Account;

beforeAll(async () => {
  await ensureBuilt();
  const clock = new FakeClock();
  sim = await startSimulator({ clock });
  ({ paths, cleanup } = await tempHome());
  ({ account } = await loginThroughSim(sim, clock, paths, { email: 'ann@example.com' }));
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await cleanup?.();
});

/** Makes the account due in real time: issued three days ago, expiring in an hour. */
async function makeDue(): Promise<void> {
  const now = Date.now();
  await updateTokenFile(account.tokenPath, (current) =>
    current
      ? {
          ...current,
          last_refresh: new Date(now - 72 * 3600_000).toISOString(),
          expired: new Date(now + 3600_000).toISOString(),
        }
      : undefined,
  );
}

describe('two processes refreshing the same account', () => {
  for (const round of [1, 2]) {
    it(`spend the refresh token exactly once (round ${round})`, async () => {
      await makeDue();
      await control(sim, 'counters/reset');
      const before = (await readTokenFile(account.tokenPath))!;

      const racers = await Promise.all([
        startRacer(paths, sim, account.id),
        startRacer(paths, sim, account.id),
      ]);
      for (const racer of racers) racer.process.stdin!.write('go\n');
      const outcomes = await Promise.all(
        racers.map(async (racer) => JSON.parse((await racer.lines.next()).value as string)),
      );

      expect(outcomes.map((o) => o.type).sort()).toEqual(['fresh', 'refreshed']);
      const state = await simState(sim);
      expect(state.counters.refresh).toBe(1);
      const after = (await readTokenFile(account.tokenPath))!;
      expect(after.refresh_token).not.toBe(before.refresh_token);
      expect(after.needs_login).toBe(false);
    });
  }
});
