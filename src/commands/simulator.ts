import { UsageError, UserError } from '../errors.js';
import { startSimulator } from '../simulator/server.js';
import type { CommandContext } from './context.js';

export const SIMULATOR_USAGE = 'Usage: ccs simulator [--port N]';

function parsePort(value: string | undefined): number {
  if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port needs a number from 0 to 65535.`, SIMULATOR_USAGE);
  }
  return Number(value);
}

export function parseSimulatorArgs(args: string[]): { port: number } {
  let port = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--port') port = parsePort(args[++i]);
    else if (arg.startsWith('--port=')) port = parsePort(arg.slice('--port='.length));
    else throw new UsageError(`Unknown argument for ccs simulator: ${arg}`, SIMULATOR_USAGE);
  }
  return { port };
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/**
 * `ccs simulator [--port N]`: runs the local iFlow-compatible server until
 * Ctrl-C, after printing the environment that points ccs at it.
 */
export async function runSimulatorCommand(ctx: CommandContext, args: string[]): Promise<number> {
  const { port } = parseSimulatorArgs(args);
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator({ port, clock: ctx.clock });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UserError(
        'port_in_use',
        `Port ${port} on 127.0.0.1 is already in use.`,
        'Choose another with --port, or leave --port out to get a free one.',
      );
    }
    throw error;
  }
  ctx.logger.info('simulator: listening', { url: simulator.url });

  ctx.stdout.write(
    `export CCS_IFLOW_AUTH_URL=${simulator.authUrl}\n` +
      `export CCS_IFLOW_API_URL=${simulator.apiUrl}\n` +
      `# Approve logins at ${simulator.url}/device (Ctrl-C stops the simulator)\n`,
  );

  await waitForAbort(ctx.signal);
  await simulator.close();
  ctx.logger.info('simulator: stopped');
  return 0;
}
