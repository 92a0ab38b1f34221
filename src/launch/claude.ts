import { type ChildProcess, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { getLogger, type Logger } from '../log.js';

const INSTALL_HINT =
  'Install Claude Code with `npm install -g @anthropic-ai/claude-code`, ' +
  'or set CCS_CLAUDE_BIN to the path of the `claude` program.';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the `claude` program: `CCS_CLAUDE_BIN` when set (it must exist), else
 * the first executable `claude` on PATH.
 */
export async function findClaude(env: NodeJS.ProcessEnv): Promise<string> {
  const explicit = env.CCS_CLAUDE_BIN?.trim();
  if (explicit) {
    const file = path.resolve(explicit);
    if (await isExecutableFile(file)) return file;
    throw new UserError(
      'claude_not_found',
      `CCS_CLAUDE_BIN points to ${file}, which is not an executable file.`,
      'Fix CCS_CLAUDE_BIN or unset it to use `claude` from PATH.',
    );
  }
  const names = process.platform === 'win32' ? ['claude.exe', 'claude.cmd'] : ['claude'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const file = path.join(dir, name);
      if (await isExecutableFile(file)) return file;
    }
  }
  throw new UserError(
    'claude_not_found',
    'Claude Code (`claude`) was not found on PATH.',
    INSTALL_HINT,
  );
}

/** Where signals come from; the real process by default, an emitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ClaudeProcessOptions {
  claudeBin: string;
  args: readonly string[];
  /** The complete environment of the child (see `buildClaudeEnv`). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  signals?: SignalSource;
  logger?: Logger;
}

/** Signals passed on to claude; SIGINT is not among them (see below). */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? os.constants.signals[signal] : undefined;
  return 128 + (number ?? 0);
}

function spawnFailure(bin: string, error: NodeJS.ErrnoException): UserError {
  const reason =
    error.code === 'EACCES' ? 'is not executable' : `could not be started (${error.code})`;
  return new UserError('claude_spawn', `${bin} ${reason}.`, INSTALL_HINT, error);
}

/**
 * Runs claude in the foreground with the terminal inherited and resolves
 * with its exit code, or 128 + the number of the signal that ended it.
 *
 * While it runs, SIGINT is ignored here: the terminal delivers Ctrl-C to the
 * whole foreground process group, so claude already has it and decides what
 * it means (it cancels a turn; it does not quit). SIGTERM and SIGHUP sent to
 * ccs alone are passed on so claude never outlives it.
 */
export async function runClaudeProcess(options: ClaudeProcessOptions): Promise<number> {
  const logger = options.logger ?? getLogger();
  const signals = options.signals ?? process;
  const child: ChildProcess = spawn(options.claudeBin, [...options.args], {
    env: options.env,
    stdio: 'inherit',
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });

  const ignore = () => logger.debug('SIGINT while claude runs: left to claude');
  const forwarders = FORWARDED.map((signal) => {
    const listener = () => {
      logger.info(`forwarding ${signal} to claude`, { pid: child.pid });
      child.kill(signal);
    };
    return { signal, listener };
  });
  // If ccs exits for any other reason, claude must not be left behind.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };

  signals.on('SIGINT', ignore);
  for (const { signal, listener } of forwarders) signals.on(signal, listener);
  process.on('exit', killOnExit);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(spawnFailure(options.claudeBin, error)));
      child.once('exit', (code, signal) => {
        logger.info('claude exited', { code, signal });
        resolve(exitCodeOf(code, signal));
      });
    });
  } finally {
    signals.off('SIGINT', ignore);
    for (const { signal, listener } of forwarders) signals.off(signal, listener);
    process.off('exit', killOnExit);
  }
}
