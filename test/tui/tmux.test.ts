import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccsPaths } from '../../src/home.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';

/*
 * The built `ccs` in a real terminal: tmux runs it at 100×30 against a
 * simulator this test starts, and the test types like a person and reads the
 * screen with capture-pane, waiting for text with a deadline, never a sleep.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The bundle that package.json's `bin` points at: what a user runs.
const CLI = path.join(ROOT, 'dist/bin/ccs.js');
const FAKE_CLAUDE = path.join(ROOT, 'test/tui/fixtures/fake-claude.mjs');
const SOCKET = `ccs-tui-test-${process.pid}`;
const TARGET = 'ccs:0.0';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const screen = () => tmux('capture-pane', '-p', '-t', TARGET);

async function waitForScreen(
  expected: string | RegExp | ((text: string) => boolean),
  timeoutMs = 15_000,
): Promise<string> {
  const test =
    typeof expected === 'string'
      ? (t: string) => t.includes(expected)
      : expected instanceof RegExp
        ? (t: string) => expected.test(t)
        : expected;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (test(text)) return text;
    if (Date.now() > deadline) {
      throw new Error(`Screen never showed ${String(expected)}. It shows:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

/** One key per call, as a person types; `literal` sends text as typed characters. */
function press(key: string, literal = false) {
  tmux('send-keys', '-t', TARGET, ...(literal ? ['-l', key] : [key]));
}

async function approve(simulator: Simulator, email: string): Promise<void> {
  const text = await waitForScreen(/Code: [A-Z0-9]{4}-[A-Z0-9]{4}/);
  const userCode = /Code: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text)![1];
  const response = await fetch(`${simulator.url}/_sim/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userCode, email }),
  });
  expect(response.status).toBe(200);
}

describe('ccs in a real terminal (tmux)', () => {
  let simulator: Simulator;
  let home: string;

  beforeAll(async () => {
    try {
      execFileSync('tmux', ['-V']);
    } catch {
      throw new Error('tmux is needed for this test: apt-get install tmux (.ci/run does).');
    }
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: build first with \`npm run build\`.`);
    }
    simulator = await startSimulator({ port: 0, intervalSec: 1 });
    home = await mkdtemp(path.join(os.tmpdir(), 'ccs-tmux-'));
    // A plain shell, so the test can see what is left on screen after ccs.
    tmux(
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'ccs',
      '-x',
      '100',
      '-y',
      '30',
      'env',
      '-i',
      `PATH=${process.env.PATH}`,
      `HOME=${home}`,
      'TERM=xterm-256color',
      'PS1=$ ',
      'bash',
      '--norc',
      '--noprofile',
      '-i',
    );
  });

  afterAll(async () => {
    try {
      // kill-server leaves the socket file behind; remove it too.
      const socket = tmux('display', '-p', '#{socket_path}').trim();
      tmux('kill-server');
      await rm(socket, { force: true });
    } catch {
      // Already gone.
    }
    await simulator?.close();
    if (home) await rm(home, { recursive: true, force: true, maxRetries: 10 });
  });

  it('logs in, switches the default, saves a setting, launches claude and quits cleanly', async () => {
    const paths = ccsPaths(path.join(home, 'ccs'));
    press('echo SHELL-WAS-HERE', true);
    press('Enter');
    await waitForScreen('SHELL-WAS-HERE\n$');
    const command = [
      `CCS_HOME=${paths.home}`,
      `CCS_IFLOW_AUTH_URL=${simulator.authUrl}`,
      `CCS_IFLOW_API_URL=${simulator.apiUrl}`,
      `CCS_CLAUDE_BIN=${FAKE_CLAUDE}`,
      `node ${CLI}; echo CCS-EXIT=$?`,
    ].join(' ');
    press(command, true);
    press('Enter');

    // Home, on the alternate screen.
    await waitForScreen((t) => t.includes('ccs · Home') && t.includes('No accounts yet'));
    expect(tmux('display', '-p', '-t', TARGET, '#{alternate_on}').trim()).toBe('1');

    // Every key on ?, and closed again.
    press('?');
    await waitForScreen((t) => t.includes('ccs · Keys') && t.includes('p pause/resume'));
    press('q');
    await waitForScreen('ccs · Home');

    // Two logins, approved through the simulator's control route.
    for (const [email, nickname] of [
      ['ann@example.com', 'ann'],
      ['bob@example.com', 'bob'],
    ] as const) {
      press('n');
      if (nickname === 'ann') {
        // Once the server has answered a poll, the QR code is still whole
        // beside the status line: both top finder patterns on one line.
        const login = await waitForScreen('Not approved yet');
        const top = login.split('\n').find((line) => line.includes('█▀▀▀▀▀█')) ?? '';
        expect(top.split('█▀▀▀▀▀█')).toHaveLength(3);
        expect(login.split('\n').every((line) => line.length <= 100)).toBe(true);
      }
      await approve(simulator, email);
      // Straight back home, which names the account until the next screen.
      await waitForScreen(
        (t) =>
          t.includes('ccs · Home') &&
          new RegExp(`${nickname} +ok +${email}`).test(t) &&
          t.includes(`Logged in to iFlow as ${nickname} (${email}).`),
      );
    }

    // Smaller and back: the layout follows, nothing left of the larger frame.
    tmux('resize-window', '-t', 'ccs', '-x', '60', '-y', '20');
    const small = await waitForScreen((t) => t.split('\n')[18]?.includes('? keys') === true);
    expect(small.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(small).toContain('★ ann');
    tmux('resize-window', '-t', 'ccs', '-x', '100', '-y', '30');
    await waitForScreen((t) => t.split('\n')[28]?.includes('q quit') === true);

    // The account picker: move to bob, make him the default.
    press('a');
    await waitForScreen(/▶ \[default\] ann/);
    press('j');
    await waitForScreen(/▶ +bob/);
    press('Enter');
    await waitForScreen('bob is now the default.');
    const accounts = JSON.parse(await readFile(paths.accountsFile, 'utf8'));
    expect(accounts.providers.iflow.default).toBe('bob@example.com');
    press('q');
    await waitForScreen('★ bob');

    // Settings: max tokens 8192 -> 4096, saved with Ctrl+S.
    press('s');
    await waitForScreen('▶ Model');
    for (let i = 0; i < 4; i++) press('j');
    await waitForScreen('▶ Max tokens');
    press('Enter');
    await waitForScreen('Max tokens: 8192');
    for (let i = 0; i < 4; i++) press('BSpace');
    await waitForScreen((t) => /Max tokens: +\n/.test(t) || t.includes('Enter a whole number.'));
    for (const digit of '4096') press(digit, true);
    await waitForScreen('Max tokens: 4096');
    press('Enter');
    await waitForScreen('(unsaved)');
    press('C-s');
    await waitForScreen('Saved.');
    const settings = JSON.parse(await readFile(paths.settingsFile('iflow'), 'utf8'));
    expect(settings.env.ANTHROPIC_MAX_TOKENS).toBe('4096');
    press('q');
    await waitForScreen('ccs · Home');

    // Launch the stand-in claude: it owns the screen, the app draws nothing.
    press('Enter');
    await waitForScreen('Ready: press Enter to start claude.');
    press('Enter');
    const claude = await waitForScreen('PRESS A KEY TO EXIT');
    expect(claude).not.toContain('ccs ·');
    expect(claude).toContain('model qwen3-coder-plus');
    expect(tmux('display', '-p', '-t', TARGET, '#{alternate_on}').trim()).toBe('0');
    press('x', true);
    const summary = await waitForScreen('claude finished.');
    expect(summary).toMatch(/exit code +0/);
    expect(summary).toMatch(/requests +1/);

    // Quit: back to the shell, terminal as it was.
    press('q');
    await waitForScreen('ccs · Home');
    press('q');
    const after = await waitForScreen('CCS-EXIT=0');
    expect(after).toContain('SHELL-WAS-HERE');
    expect(after).not.toContain('ccs · Home');
    expect(tmux('display', '-p', '-t', TARGET, '#{alternate_on}').trim()).toBe('0');
    expect(tmux('display', '-p', '-t', TARGET, '#{cursor_flag}').trim()).toBe('1');
    press("stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo", true);
    press('Enter');
    await waitForScreen(/^icanon echo *$/m);
  }, 120_000);

  it('restores the terminal on Ctrl-C (exit 130) and on SIGHUP (exit 129)', async () => {
    const pidFile = path.join(home, 'ccs.pid');
    // `exec` keeps the pid the shell wrote down: that of ccs itself.
    const start = (extraEnv = '') => {
      press('clear', true);
      press('Enter');
      const run = `echo $$ > ${pidFile}; exec node ${CLI}`;
      // CI=true as well: ccs must still draw when a user's shell has it set.
      const env = `CI=true CCS_HOME=${path.join(home, 'ccs')} ${extraEnv}`;
      press(`${env} sh -c '${run}'; echo CCS-EXIT=$?`, true);
      press('Enter');
      return waitForScreen('ccs · Home');
    };
    const restored = async (code: number) => {
      const text = await waitForScreen(`CCS-EXIT=${code}`);
      expect(text).not.toContain('ccs · Home');
      expect(tmux('display', '-p', '-t', TARGET, '#{alternate_on}').trim()).toBe('0');
      expect(tmux('display', '-p', '-t', TARGET, '#{cursor_flag}').trim()).toBe('1');
    };

    // NO_COLOR: bold and inverse stay, no colour at all (39/49 are tmux's resets).
    await start('NO_COLOR=1');
    await waitForScreen((t) => t.includes('? keys') && t.includes('ann'));
    const styled = tmux('capture-pane', '-p', '-e', '-t', TARGET);
    expect(styled).toContain('ann');
    const colour = new RegExp(`${'\u001B'}\\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]`);
    expect(styled).not.toMatch(colour);
    press('C-c');
    await restored(130);

    await start();
    const ccs = Number((await readFile(pidFile, 'utf8')).trim());
    expect(ccs).toBeGreaterThan(1);
    process.kill(ccs, 'SIGHUP');
    await restored(129);

    // The demo's throw-away home goes with it, even on SIGHUP.
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ccs-tmux-tmp-'));
    try {
      press('clear', true);
      press('Enter');
      press(
        `TMPDIR=${tmp} sh -c 'echo $$ > ${pidFile}; exec node ${CLI} demo'; echo CCS-EXIT=$?`,
        true,
      );
      press('Enter');
      await waitForScreen('ccs · Home');
      expect((await readdir(tmp)).filter((name) => name.startsWith('ccs-demo-'))).toHaveLength(1);
      process.kill(Number((await readFile(pidFile, 'utf8')).trim()), 'SIGHUP');
      await restored(129);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
