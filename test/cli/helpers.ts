import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { recordLogin } from '../../src/accounts/registry.js';
import type { Clock } from '../../src/clock.js';
import type { CommandContext } from '../../src/commands/context.js';
import { type CcsPaths, ccsPaths } from '../../src/home.js';
import { silentLogger } from '../../src/log.js';

/** A fresh config home in the system temp dir; `cleanup` removes it. */
export async function tempHome(): Promise<{ paths: CcsPaths; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ccs-cli-'));
  return { paths: ccsPaths(home), cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** A clock that stands still unless the test moves it. */
export function fixedClock(iso: string): Clock & { set(ms: number): void } {
  let now = Date.parse(iso);
  return {
    now: () => now,
    // Time never passes on its own; only an abort ends a sleep.
    sleep: (_ms, signal) =>
      new Promise((_resolve, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    set: (ms) => {
      now = ms;
    },
  };
}

export interface TestContext {
  ctx: CommandContext;
  /** What the user types. */
  stdin: PassThrough;
  stdout: () => string;
  stderr: () => string;
  abort: () => void;
}

/** A CommandContext whose streams are captured, for running commands in-process. */
export function testContext(
  paths: CcsPaths,
  options: { clock?: Clock; isTTY?: boolean; env?: NodeJS.ProcessEnv } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const controller = new AbortController();
  const stdin = new PassThrough();
  const ctx: CommandContext = {
    paths,
    env: options.env ?? {},
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    isTTY: options.isTTY ?? false,
    logger: silentLogger,
    clock: options.clock ?? fixedClock('2026-05-01T12:00:00Z'),
    signal: controller.signal,
  };
  const result: TestContext = {
    ctx,
    stdin,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    abort: () => controller.abort(),
  };
  return result;
}

let keyCounter = 0;

/** Records a login as AUTH's loginWithDeviceCode would after a successful flow. */
export function addAccount(
  paths: CcsPaths,
  identity: { email: string; phone?: string },
  options: { nickname?: string; now?: string; expired?: string; apiKey?: string } = {},
) {
  const now = new Date(options.now ?? '2026-05-01T10:00:00Z');
  return recordLogin(paths, 'iflow', {
    identity,
    tokens: {
      access_token: `at-${++keyCounter}`,
      refresh_token: `rt-${keyCounter}`,
      api_key: options.apiKey ?? `sk-${keyCounter}`,
      expired: options.expired ?? '2026-05-10T10:00:00Z',
      last_refresh: now.toISOString(),
      token_type: 'Bearer',
      scope: 'read',
    },
    ...(options.nickname ? { nickname: options.nickname } : {}),
    now,
  });
}

/**
 * A clock whose sleeps wait for the test: `step()` jumps to the earliest
 * pending sleep's end and wakes it.
 */
export function steppedClock(startIso: string) {
  let now = Date.parse(startIso);
  const sleepers: { at: number; wake: () => void }[] = [];
  let waiting: (() => void) | undefined;
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const sleeper = { at: now + ms, wake: resolve };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', () => {
          sleepers.splice(sleepers.indexOf(sleeper), 1);
          reject(signal.reason);
        });
        waiting?.();
      }),
  };
  return {
    clock,
    /** Resolves once something sleeps (now or later). */
    sleeping: () =>
      sleepers.length > 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting = resolve;
          }),
    step: () => {
      sleepers.sort((a, b) => a.at - b.at);
      const next = sleepers.shift();
      if (!next) return false;
      now = next.at;
      next.wake();
      return true;
    },
  };
}
