import { readdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatRemaining, runAuth, showCountdown } from '../../src/commands/auth.js';
import { runCli } from '../../src/commands/run.js';
import type { CcsPaths } from '../../src/home.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { addAccount, steppedClock, tempHome, testContext } from './helpers.js';

let paths: CcsPaths;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

/** Wakes the countdown's sleeps one after another until it returns. */
async function drive(done: Promise<void>, stepped: ReturnType<typeof steppedClock>) {
  let over = false;
  void done.then(() => {
    over = true;
  });
  for (;;) {
    await Promise.race([stepped.sleeping(), done]);
    if (over) return;
    stepped.step();
  }
}

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

describe('the countdown', () => {
  it('formats m:ss rounded up', () => {
    expect(formatRemaining(600_000)).toBe('10:00');
    expect(formatRemaining(599_001)).toBe('10:00');
    expect(formatRemaining(599_000)).toBe('9:59');
    expect(formatRemaining(1)).toBe('0:01');
    expect(formatRemaining(0)).toBe('0:00');
    expect(formatRemaining(-5_000)).toBe('0:00');
  });

  it('without a terminal writes a line each whole minute and none at expiry', async () => {
    const stepped = steppedClock('2026-05-01T12:00:00Z');
    const out = capture();
    const expiresAt = stepped.clock.now() + 180_000 - 40;
    const done = showCountdown(out.stream, stepped.clock, expiresAt, false, AbortSignal.any([]));
    await drive(done, stepped);
    expect(out.text()).toBe('Code expires in 3:00\nCode expires in 2:00\nCode expires in 1:00\n');
    expect(stepped.clock.now()).toBe(expiresAt);
  });

  it('on a terminal rewrites one line each second down to 0:00', async () => {
    const stepped = steppedClock('2026-05-01T12:00:00Z');
    const out = capture();
    const expiresAt = stepped.clock.now() + 3_000 - 40;
    const done = showCountdown(out.stream, stepped.clock, expiresAt, true, AbortSignal.any([]));
    await drive(done, stepped);
    const clear = '\r\x1b[2K';
    expect(out.text()).toBe(
      ['0:03', '0:02', '0:01', '0:00'].map((t) => `${clear}Code expires in ${t}`).join(''),
    );
  });

  it('stops at once when the login ends', async () => {
    const stepped = steppedClock('2026-05-01T12:00:00Z');
    const out = capture();
    const stop = new AbortController();
    const done = showCountdown(
      out.stream,
      stepped.clock,
      stepped.clock.now() + 60_000,
      true,
      stop.signal,
    );
    await stepped.sleeping();
    stop.abort();
    await done;
    expect(out.text()).toBe('\r\x1b[2KCode expires in 1:00');
  });
});

describe('--auth with accounts already there, on a terminal', () => {
  const provider = iflowProvider('http://127.0.0.1:9', 'http://127.0.0.1:9/v1');

  for (const [typed, label] of [
    ['n\n', 'no'],
    ['\n', 'Enter'],
    [null, 'end of input'],
  ] as const) {
    it(`asks "Add another account? (y/N)"; ${label} changes nothing and exits 0`, async () => {
      await addAccount(paths, { email: 'work@company.com' });
      const t = testContext(paths, { isTTY: true });
      if (typed === null) t.stdin.end();
      else t.stdin.write(typed);
      expect(await runAuth(t.ctx, provider, { add: false })).toBe(0);
      // The terminal echoes a typed answer and its Enter; end of input echoes nothing.
      const end = typed === null ? '\n' : '';
      expect(t.stdout()).toBe(`Add another account? (y/N) ${end}Nothing changed.\n`);
    });
  }
});

describe('Ctrl-C at "Add another account? (y/N)"', () => {
  it('exits 130 on a line of its own, nothing changed', async () => {
    await addAccount(paths, { email: 'work@company.com' });
    const t = testContext(paths, { isTTY: true });
    (t.ctx.stdout as unknown as PassThrough).on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('(y/N)')) t.abort();
    });
    expect(await runCli(t.ctx, ['iflow', '--auth'])).toBe(130);
    expect(t.stdout()).toBe('Add another account? (y/N) \n');
    expect(t.stderr()).toBe('Cancelled.\n');
  });
});

describe('Ctrl-C during --auth', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ intervalSec: 1 });
  });
  afterEach(() => sim.close());

  it('exits 130 and leaves no file behind', async () => {
    const t = testContext(paths, {
      env: { CCS_IFLOW_AUTH_URL: sim.authUrl, CCS_IFLOW_API_URL: sim.apiUrl },
    });
    (t.ctx.stdout as unknown as PassThrough).on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Waiting for authorization')) t.abort();
    });
    expect(await runCli(t.ctx, ['iflow', '--auth'])).toBe(130);
    expect(t.stderr()).toBe('Cancelled.\n');
    await expect(readdir(paths.cliproxyDir)).rejects.toThrow(/ENOENT/);
  });
});
