import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/context.js';
import { parseSimulatorArgs, runSimulatorCommand } from '../../src/commands/simulator.js';
import { UsageError, UserError } from '../../src/errors.js';
import { ccsPaths } from '../../src/home.js';
import { silentLogger } from '../../src/log.js';
import { startSimulator } from '../../src/simulator/server.js';
import { FakeClock } from '../auth/fake-clock.js';

function context(signal: AbortSignal) {
  const stdout = new PassThrough();
  let output = '';
  stdout.on('data', (chunk) => {
    output += chunk;
  });
  const ctx = {
    paths: ccsPaths('/nonexistent-ccs-home'),
    env: {},
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new PassThrough() as unknown as NodeJS.WriteStream,
    isTTY: false,
    logger: silentLogger,
    clock: new FakeClock(),
    signal,
  } satisfies CommandContext;
  return { ctx, output: () => output, stdout };
}

describe('ccs simulator', () => {
  it('prints the environment, serves until aborted, then closes and returns 0', async () => {
    const controller = new AbortController();
    const { ctx, output, stdout } = context(controller.signal);
    const running = runSimulatorCommand(ctx, []);
    await new Promise((resolve) => stdout.once('data', resolve));

    const lines = output().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const [auth, api, hint] = lines as [string, string, string];
    expect(auth).toMatch(/^export CCS_IFLOW_AUTH_URL=http:\/\/127\.0\.0\.1:\d+$/);
    const base = auth.slice('export CCS_IFLOW_AUTH_URL='.length);
    expect(api).toBe(`export CCS_IFLOW_API_URL=${base}/v1`);
    expect(hint).toBe(`# Approve logins at ${base}/device (Ctrl-C stops the simulator)`);
    expect((await fetch(`${base}/device`)).status).toBe(200);

    controller.abort();
    expect(await running).toBe(0);
    await expect(fetch(`${base}/device`)).rejects.toThrow();
  });

  it('names a port that is taken', async () => {
    const other = await startSimulator();
    try {
      const port = new URL(other.url).port;
      const { ctx } = context(new AbortController().signal);
      const error = await runSimulatorCommand(ctx, ['--port', port]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('port_in_use');
    } finally {
      await other.close();
    }
  });

  it('parses --port and refuses anything else', () => {
    expect(parseSimulatorArgs([])).toEqual({ port: 0 });
    expect(parseSimulatorArgs(['--port', '4000'])).toEqual({ port: 4000 });
    expect(parseSimulatorArgs(['--port=4001'])).toEqual({ port: 4001 });
    expect(() => parseSimulatorArgs(['--port'])).toThrow(UsageError);
    expect(() => parseSimulatorArgs(['--port', '70000'])).toThrow(UsageError);
    expect(() => parseSimulatorArgs(['--verbose'])).toThrow(UsageError);
  });
});
