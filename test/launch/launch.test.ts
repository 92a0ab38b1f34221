import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTokenFile, updateTokenFile } from '../../src/accounts/token-store.js';
import { chatRequests } from '../../src/simulator/chat.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import {
  addAccount,
  assertBuilt,
  baseEnv,
  isAlive,
  readRecord,
  refusesConnections,
  runCcs,
  runCcsOnTerminal,
  stopAll,
  type TempHome,
  tempHome,
  waitForFileState,
} from './harness.js';

let sim: Simulator;
let home: TempHome;
let record: string;

beforeAll(async () => {
  assertBuilt();
  // A one-second polling interval keeps the terminal login test short.
  sim = await startSimulator({ intervalSec: 1 });
});
afterAll(() => sim.close());

beforeEach(async () => {
  home = await tempHome();
  record = path.join(home.dir, 'claude-record.json');
});
afterEach(async () => {
  await stopAll();
  await home.cleanup();
});

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('ccs iflow (launch) with a stand-in claude', () => {
  it('gives claude exactly the environment of PROTOCOL items 63-64, and a working proxy', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    await writeFile(
      home.paths.settingsFile('iflow'),
      JSON.stringify({
        env: {
          ANTHROPIC_MODEL: 'qwen3-coder-plus',
          ANTHROPIC_MAX_TOKENS: '4096',
          ANTHROPIC_DEFAULT_HAIKU_MODEL: 'qwen3-32b',
          EXTRA_FROM_SETTINGS: 'yes',
        },
      }),
    );
    const env = baseEnv(home, sim, {
      FAKE_CLAUDE_RECORD: record,
      FAKE_CLAUDE_REQUEST: '1',
      // A background (haiku) call, which item 64 routes to the small model.
      FAKE_CLAUDE_MODEL_VAR: 'ANTHROPIC_SMALL_FAST_MODEL',
      ANTHROPIC_API_KEY: 'sk-ant-must-not-reach-claude',
      ANTHROPIC_MODEL: 'claude-from-the-shell',
      ANTHROPIC_BASE_URL: 'https://api.anthropic.com',
      DISABLE_TELEMETRY: '0',
    });

    const since = chatRequests(sim.state).length;
    const run = runCcs(['iflow', '-p', 'hello'], env);
    const { code } = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);

    const seen = await readRecord(record);
    const child = seen.env;
    expect(child.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(child.ANTHROPIC_AUTH_TOKEN).toMatch(/^ccs-[A-Za-z0-9_-]{43}$/);
    expect(child).not.toHaveProperty('ANTHROPIC_API_KEY');
    expect(child).toMatchObject({
      ANTHROPIC_MODEL: 'qwen3-coder-plus',
      ANTHROPIC_DEFAULT_OPUS_MODEL: 'qwen3-coder-plus',
      ANTHROPIC_DEFAULT_SONNET_MODEL: 'qwen3-coder-plus',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'qwen3-32b',
      ANTHROPIC_SMALL_FAST_MODEL: 'qwen3-32b',
      CLAUDE_CODE_MAX_OUTPUT_TOKENS: '4096',
      API_TIMEOUT_MS: '600000',
      DISABLE_TELEMETRY: '0',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS: '1',
      EXTRA_FROM_SETTINGS: 'yes',
      HOME: home.dir,
    });
    expect(seen.argv).toEqual(['-p', 'hello']);

    // The stand-in's request went through the session's proxy to the simulator.
    expect(seen.request?.status).toBe(200);
    expect(seen.request?.body).toMatchObject({ type: 'message', role: 'assistant' });
    const upstream = chatRequests(sim.state).slice(since);
    expect(upstream.map((request) => request.body.model)).toEqual(['qwen3-32b']);

    // The proxy is gone with the session.
    expect(await refusesConnections(portOf(child.ANTHROPIC_BASE_URL!))).toBe(true);
  });

  it('gives every session its own secret', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const second = path.join(home.dir, 'second.json');
    const runs = [record, second].map((file) =>
      runCcs(['iflow'], baseEnv(home, sim, { FAKE_CLAUDE_RECORD: file })),
    );
    for (const run of runs) expect((await run.exited).code).toBe(0);
    const [a, b] = [await readRecord(record), await readRecord(second)];
    expect(a.env.ANTHROPIC_AUTH_TOKEN).not.toBe(b.env.ANTHROPIC_AUTH_TOKEN);
    expect(a.env.ANTHROPIC_BASE_URL).not.toBe(b.env.ANTHROPIC_BASE_URL);
  });

  it('passes the arguments through untouched and in order', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const odd = ['say "hi" & $HOME `id`', '', 'ünïcödé\nsecond line', '*', "it's", '-x=1'];
    const args = ['-p', 'q', '--output-format', 'json', '--', '--auth', '--', ...odd];
    const run = runCcs(['iflow', ...args], baseEnv(home, sim, { FAKE_CLAUDE_RECORD: record }));
    expect((await run.exited).code).toBe(0);
    // ccs's own `--` ends its options; everything after it is claude's, even ccs's flags.
    expect((await readRecord(record)).argv).toEqual([
      '-p',
      'q',
      '--output-format',
      'json',
      '--auth',
      '--',
      ...odd,
    ]);
  });

  it("exits with claude's exit code", async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const run = runCcs(['iflow', '-p', 'x'], baseEnv(home, sim, { FAKE_CLAUDE_EXIT: '7' }));
    expect(await run.exited).toEqual({ code: 7, signal: null });
  });

  it('forwards SIGTERM to claude and exits 128 + 15, leaving no process behind', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const env = baseEnv(home, sim, { FAKE_CLAUDE_RECORD: record, FAKE_CLAUDE_WAIT: '1' });
    const run = runCcs(['iflow'], env);
    await run.waitForStdout('READY');

    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 143, signal: null });
    expect(run.stdout()).toContain('GOT SIGTERM');
    const seen = await readRecord(record);
    expect(isAlive(seen.pid)).toBe(false);
    expect(await refusesConnections(portOf(seen.env.ANTHROPIC_BASE_URL!))).toBe(true);
  });

  it('forwards SIGHUP and exits 128 + 1', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const run = runCcs(['iflow'], baseEnv(home, sim, { FAKE_CLAUDE_WAIT: '1' }));
    await run.waitForStdout('READY');
    run.child.kill('SIGHUP');
    expect(await run.exited).toEqual({ code: 129, signal: null });
    expect(run.stdout()).toContain('GOT SIGHUP');
  });

  it('leaves Ctrl-C to claude: the process group gets SIGINT, claude decides', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const env = baseEnv(home, sim, { FAKE_CLAUDE_WAIT: '1', FAKE_CLAUDE_SIGINT_EXIT: '42' });
    // Its own process group, like a terminal's foreground job.
    const run = runCcs(['iflow'], env, { detached: true });
    await run.waitForStdout('READY');

    process.kill(-run.child.pid!, 'SIGINT');
    expect(await run.exited).toEqual({ code: 42, signal: null });
    expect(run.stdout()).toContain('GOT SIGINT');
  });

  it('ignores a SIGINT sent to ccs alone while claude runs', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const run = runCcs(['iflow'], baseEnv(home, sim, { FAKE_CLAUDE_WAIT: '1' }));
    await run.waitForStdout('READY');

    run.child.kill('SIGINT');
    run.child.kill('SIGTERM');
    // Had SIGINT ended ccs, the exit would be by signal; claude never saw a SIGINT.
    expect(await run.exited).toEqual({ code: 143, signal: null });
    expect(run.stdout()).toContain('GOT SIGTERM');
    expect(run.stdout()).not.toContain('GOT SIGINT');
  });

  it('without an account and without a terminal, exits 1 naming --auth', async () => {
    const run = runCcs(['iflow', '-p', 'x'], baseEnv(home, sim, { FAKE_CLAUDE_RECORD: record }));
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain('ccs iflow --auth');
    expect(run.stdout()).toBe('');
    await expect(readRecord(record)).rejects.toThrow(/ENOENT/);
  });

  it('on a terminal without an account, logs in first and then launches', async () => {
    const run = runCcsOnTerminal(
      ['iflow', '-p', 'after login'],
      baseEnv(home, sim, { FAKE_CLAUDE_RECORD: record, TERM: 'dumb' }),
    );
    const shown = await run.waitForStdout(/Enter code: (\S+)/);
    // The same block `ccs iflow --auth` prints.
    expect(shown).toContain('Authenticate with iFlow:');
    const userCode = /Enter code: (\S+)/.exec(shown)![1]!;
    const approved = await fetch(`${sim.url}/_sim/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userCode, email: 'carol@example.com' }),
    });
    expect(approved.status).toBe(200);

    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain('Logged in to iFlow as carol');
    const seen = await readRecord(record);
    expect(seen.argv).toEqual(['-p', 'after login']);
  });

  it('reports an account that needs login in one line before claude starts', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    await addAccount(sim, home.paths, 'bob@example.com');
    await updateTokenFile(home.paths.tokenFile('iflow', 'bob@example.com'), (tokens) =>
      tokens ? { ...tokens, needs_login: true } : undefined,
    );
    const run = runCcs(['iflow', '-p', 'x'], baseEnv(home, sim, { FAKE_CLAUDE_RECORD: record }));
    expect((await run.exited).code).toBe(0);
    const lines = run.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('bob');
    expect(lines[0]).toContain('ccs iflow --auth');
    expect((await readRecord(record)).argv).toEqual(['-p', 'x']);
  });

  it('finds an expired token that cannot be refreshed before claude starts', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    await addAccount(sim, home.paths, 'bob@example.com', {
      expiredAt: new Date(Date.now() - 1000),
    });
    const revoked = await fetch(`${sim.url}/_sim/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'bob@example.com' }),
    });
    expect(revoked.status).toBe(200);

    const run = runCcs(['iflow', '-p', 'x'], baseEnv(home, sim, { FAKE_CLAUDE_RECORD: record }));
    expect((await run.exited).code).toBe(0);
    const lines = run.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/bob.*needs a new login/);
  });

  it('never prints while claude runs: a refresh refused mid-run goes to the log', async () => {
    // Due for refresh (a two-day token with an hour left) but not expired, so
    // nothing is said before launch; the refresh service then meets a revoked
    // refresh token while claude runs.
    await addAccount(sim, home.paths, 'alice@example.com', {
      expiredAt: new Date(Date.now() + 3600_000),
      lastRefresh: new Date(Date.now() - 47 * 3600_000),
    });
    await fetch(`${sim.url}/_sim/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'alice@example.com' }),
    });
    const run = runCcs(['iflow'], baseEnv(home, sim, { FAKE_CLAUDE_WAIT: '1' }));
    await run.waitForStdout('READY');

    const tokenFile = home.paths.tokenFile('iflow', 'alice@example.com');
    await waitForFileState(home.paths.authDir, async () =>
      Boolean((await readTokenFile(tokenFile).catch(() => undefined))?.needs_login),
    );
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(run.stderr()).toBe('');
    const log = await readFile(home.paths.logFile, 'utf8');
    expect(log).toMatch(/refresh needs-login: iflow account alice/);
  });

  it('says how to install claude when it is not on PATH', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const emptyDir = await mkdtemp(path.join(home.dir, 'bin-'));
    const env = baseEnv(home, sim);
    delete env.CCS_CLAUDE_BIN;
    // node itself must still be found by the test's spawn, not by ccs.
    const run = runCcs(['iflow', '-p', 'x'], { ...env, PATH: emptyDir });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain('npm install -g @anthropic-ai/claude-code');
  });
});
