import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, watch as watchDir } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordLogin } from '../../src/accounts/registry.js';
import { type CcsPaths, ccsPaths } from '../../src/home.js';
import type { Simulator } from '../../src/simulator/server.js';
import { accountFor, issueTokens } from '../../src/simulator/state.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
export const FAKE_CLAUDE = path.join(ROOT, 'test', 'fixtures', 'fake-claude.mjs');

/** The tests drive the built binary; `npm test` builds it first. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build first with \`npx tsc -p tsconfig.json\`.`);
  }
}

export interface TempHome {
  dir: string;
  paths: CcsPaths;
  cleanup(): Promise<void>;
}

export async function tempHome(): Promise<TempHome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ccs-launch-'));
  return {
    dir,
    paths: ccsPaths(path.join(dir, 'ccs-home')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Logs an identity in without the device dance: the simulator issues tokens
 * for it (as if a person had approved a code) and ccs's own registry records
 * them, exactly what a completed login leaves behind.
 */
export async function addAccount(
  sim: Simulator,
  paths: CcsPaths,
  email: string,
  options: { expiredAt?: Date; lastRefresh?: Date } = {},
): Promise<{ apiKey: string; accountId: string }> {
  const account = accountFor(sim.state, { email });
  const tokens = issueTokens(sim.state, account, 'openid');
  const now = new Date();
  const expired = options.expiredAt ?? new Date(now.getTime() + tokens.expires_in * 1000);
  await recordLogin(paths, 'iflow', {
    identity: { email },
    tokens: {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      api_key: account.apiKey,
      expired: expired.toISOString(),
      last_refresh: (options.lastRefresh ?? now).toISOString(),
      token_type: tokens.token_type,
      scope: tokens.scope,
    },
    now,
  });
  return { apiKey: account.apiKey, accountId: account.id };
}

/** An environment with nothing of the user's: only what the test says. */
export function baseEnv(
  home: TempHome,
  sim: Simulator | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home.dir,
    CCS_HOME: home.paths.home,
    CCS_CLAUDE_BIN: FAKE_CLAUDE,
    ...(sim ? { CCS_IFLOW_AUTH_URL: sim.authUrl, CCS_IFLOW_API_URL: sim.apiUrl } : {}),
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...extra,
  };
}

export interface CcsRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the whole stdout so far once it contains `text`. */
  waitForStdout(text: string | RegExp): Promise<string>;
}

/** Runs `node dist/src/cli.js …args` with pipes (so no TTY). */
export function runCcs(
  args: readonly string[],
  env: Record<string, string>,
  options: { detached?: boolean; cwd?: string } = {},
): CcsRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return watch(child);
}

/** Children still running; `stopAll` ends them when a test fails or times out. */
const running = new Set<ChildProcess>();

/** Sends SIGTERM to every ccs a test started that is still running (use in afterEach). */
export async function stopAll(): Promise<void> {
  const left = [...running];
  for (const child of left) child.kill('SIGTERM');
  await Promise.all(left.map((child) => new Promise((resolve) => child.once('close', resolve))));
}

function watch(child: ChildProcess): CcsRun {
  running.add(child);
  child.once('close', () => running.delete(child));
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  let closed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      closed = true;
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    }),
  );
  const waitForStdout = (text: string | RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = typeof text === 'string' ? out.includes(text) : text.test(out);
        if (found) return resolve(out);
        if (closed) return reject(new Error(`ccs exited before printing ${text}:\n${out}\n${err}`));
        waiters.push(check);
      };
      check();
    });
  return { child, stdout: () => out, stderr: () => err, exited, waitForStdout };
}

export interface ClaudeRecord {
  argv: string[];
  env: Record<string, string>;
  pid: number;
  request?: { status: number; body: unknown };
}

export async function readRecord(file: string): Promise<ClaudeRecord> {
  return JSON.parse(await readFile(file, 'utf8')) as ClaudeRecord;
}

/** Resolves true when nothing accepts connections on 127.0.0.1:`port`. */
export function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs ccs on a pseudo-terminal (util-linux `script`), so that it sees a TTY
 * on stdin and stdout. The output is the terminal's, escapes included.
 */
export function runCcsOnTerminal(args: readonly string[], env: Record<string, string>): CcsRun {
  const quoted = [process.execPath, CLI, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`);
  const child = spawn('script', ['-qfec', quoted.join(' '), '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return watch(child);
}

/** Resolves once `predicate` holds, checked again on every change in `dir`. */
export function waitForFileState(dir: string, predicate: () => Promise<boolean>): Promise<void> {
  return new Promise((resolve, reject) => {
    // fs.watch starts watching before this returns (fs/promises' watch only on
    // the first iteration, which would miss a change made in between).
    let checking = Promise.resolve();
    const watcher = watchDir(dir, () => {
      checking = checking.then(check);
    });
    const check = async () => {
      try {
        if (await predicate()) {
          watcher.close();
          resolve();
        }
      } catch (error) {
        watcher.close();
        reject(error);
      }
    };
    checking = checking.then(check);
  });
}
