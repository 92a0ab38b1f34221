// Must stay first: Ink reads CI when it is first imported.
import './no-ci.js';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionStatsView } from '../../hooks/services.js';
import { runTui } from '../../screens/main.js';
import type { CommandContext } from '../../src/commands/context.js';
import type { CcsPaths } from '../../src/home.js';
import { silentLogger } from '../../src/log.js';
import { ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN } from '../../src/terminal/screen.js';
import { effectsFlushed, fakeSession, makeServices, seedAccount, tempHome } from './helpers.js';

/* runTui end to end in-process, on fake streams (vitest gives each file its own modules). */

class FakeStdin extends EventEmitter {
  isTTY = true;
  isRaw = false;
  private queue: string[] = [];
  setEncoding() {}
  setRawMode(mode: boolean) {
    this.isRaw = mode;
  }
  ref() {}
  unref() {}
  pause() {}
  resume() {}
  read() {
    return this.queue.shift() ?? null;
  }
  type(data: string) {
    this.queue.push(data);
    this.emit('readable');
  }
}

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = 100;
  rows = 30;
  text = '';
  write(data: string, callback?: () => void) {
    this.text += data;
    callback?.();
    return true;
  }
}

let paths: CcsPaths;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

function context() {
  const stdin = new FakeStdin();
  const stdout = new FakeStdout();
  const ctx = {
    paths,
    env: {},
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new FakeStdout() as unknown as NodeJS.WriteStream,
    isTTY: true,
    logger: silentLogger,
    clock: { now: () => Date.now(), sleep: async () => {} },
    signal: new AbortController().signal,
  } satisfies CommandContext;
  return { ctx, stdin, stdout };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await effectsFlushed();
}

describe('runTui', () => {
  it('opens on the alternate screen and restores it on q', async () => {
    const { ctx, stdin, stdout } = context();
    const done = runTui(ctx, { screen: 'home' }, makeServices(paths));
    await until(() => stdout.text.includes('No accounts yet'), 'the home screen');
    expect(stdout.text.startsWith(ENTER_ALT_SCREEN)).toBe(true);
    stdin.type('q');
    expect(await done).toBe(0);
    expect(stdout.text.endsWith(LEAVE_ALT_SCREEN)).toBe(true);
    expect(stdin.isRaw).toBe(false);
  });

  it('exits 130 and restores the terminal on Ctrl-C', async () => {
    const { ctx, stdin, stdout } = context();
    const done = runTui(ctx, { screen: 'settings' }, makeServices(paths));
    await until(() => stdout.text.includes('iFlow settings'), 'the settings screen');
    stdin.type('\u0003');
    expect(await done).toBe(130);
    expect(stdout.text.endsWith(LEAVE_ALT_SCREEN)).toBe(true);
  });

  it('hands the terminal to claude with nothing drawn meanwhile, then shows the summary', async () => {
    await seedAccount(paths, 'ann@example.com');
    const { ctx, stdin, stdout } = context();
    let stats: SessionStatsView = {
      requests: 4,
      errors: 0,
      failovers: 0,
      inputTokens: 100,
      outputTokens: 10,
    };
    const session = fakeSession();
    session.stats = () => stats;
    let drawnWhileClaudeRan = '';
    let rawWhileClaudeRan = true;
    session.runClaude = async () => {
      const mark = stdout.text.length;
      rawWhileClaudeRan = stdin.isRaw;
      // A resize and the passing of time would redraw a live app (spinner,
      // countdown, layout); nothing may reach the terminal now.
      stdout.columns = 80;
      stdout.emit('resize');
      await new Promise((resolve) => setTimeout(resolve, 250));
      drawnWhileClaudeRan = stdout.text.slice(mark);
      stats = { requests: 7, errors: 1, failovers: 1, inputTokens: 160, outputTokens: 25 };
      return 3;
    };
    const done = runTui(ctx, { screen: 'home' }, makeServices(paths, { session }));
    await until(() => /ann +ok/.test(stdout.text), 'the account on home');
    stdin.type('\r');
    await until(() => stdout.text.includes('Ready: press Enter'), 'the launch screen');
    const beforeLaunch = stdout.text.length;
    stdin.type('\r');
    await until(() => stdout.text.includes('claude ended with a problem.'), 'the summary');

    const handOff = stdout.text.slice(beforeLaunch);
    expect(
      handOff.startsWith(`\u001B[?25h${LEAVE_ALT_SCREEN}`) || handOff.includes(LEAVE_ALT_SCREEN),
    ).toBe(true);
    expect(drawnWhileClaudeRan).toBe('');
    expect(rawWhileClaudeRan).toBe(false);
    const summary = stdout.text.slice(stdout.text.lastIndexOf(ENTER_ALT_SCREEN));
    expect(summary).toMatch(/exit code +3/);
    expect(summary).toMatch(/requests +3/);
    expect(summary).toMatch(/tokens in +60/);
    expect(summary).toMatch(/tokens out +15/);
    expect(summary).toMatch(/errors +1/);
    expect(summary).toMatch(/failovers +1/);

    stdin.type('q');
    await until(
      () => stdout.text.lastIndexOf('ccs · Home') > stdout.text.lastIndexOf('claude ended'),
      'home',
    );
    stdin.type('q');
    expect(await done).toBe(0);
    expect(stdout.text.endsWith(LEAVE_ALT_SCREEN)).toBe(true);
  });

  it('prints who logged in after a standalone login, on the normal screen', async () => {
    const { ctx, stdout } = context();
    const services = makeServices(paths, {
      login: async () => ({
        account: (await seedAccount(paths, 'ann@example.com')).account,
        created: true,
      }),
    });
    const done = runTui(ctx, { screen: 'login', providerId: 'iflow', standalone: true }, services);
    expect(await done).toBe(0);
    expect(
      stdout.text.endsWith(`${LEAVE_ALT_SCREEN}Logged in to iFlow as ann (ann@example.com).\n`),
    ).toBe(true);
  });
});
