import type { Clock } from '../clock.js';
import type { CcsPaths } from '../home.js';
import type { Logger } from '../log.js';

/**
 * What every command gets from the CLI entry. Commands write through these
 * streams, never `console`, and take the environment and clock from here so
 * tests can run them in-process.
 */
export interface CommandContext {
  paths: CcsPaths;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Both stdin and stdout are terminals. */
  isTTY: boolean;
  logger: Logger;
  clock: Clock;
  /** Fires on Ctrl-C (SIGINT) or SIGTERM while a command runs. */
  signal: AbortSignal;
}
