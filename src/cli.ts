#!/usr/bin/env node
import { systemClock } from './clock.js';
import type { CommandContext } from './commands/context.js';
import { reportError, runCli } from './commands/run.js';
import { CancelledError } from './errors.js';
import { ccsPaths, resolveHome } from './home.js';
import { createLogger, setLogger } from './log.js';

/*
 * The `ccs` bin: the only module that touches process-wide state (argv, the
 * real streams, signals, exit). Everything else runs in-process in tests
 * through runCli with a CommandContext of their own.
 */

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

async function main(): Promise<number> {
  const paths = ccsPaths(resolveHome());
  const debug = process.env.CCS_DEBUG === '1';
  const logger = createLogger({
    file: paths.logFile,
    level: debug ? 'debug' : 'info',
    stderr: debug,
  });
  setLogger(logger);

  // Ctrl-C and SIGTERM cancel the running command through its signal; the
  // command unwinds (no partial files: every write is atomic) and exits 130.
  // A launched claude gets its own signal handling from the launch command.
  const controller = new AbortController();
  const cancel = (name: NodeJS.Signals) => {
    logger.info('signal received', { signal: name });
    if (!controller.signal.aborted) controller.abort(new CancelledError());
  };
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);

  const ctx: CommandContext = {
    paths,
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    logger,
    clock: systemClock,
    signal: controller.signal,
  };
  try {
    return await runCli(ctx, process.argv.slice(2));
  } catch (error) {
    return reportError(ctx, error);
  }
}

const code = await main();
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit explicitly: a command that finished must not linger on a stray handle.
process.exit(code);
