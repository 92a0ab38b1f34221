import { stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir } from '../../src/fs/atomic.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import {
  addAccount,
  assertBuilt,
  baseEnv,
  refusesConnections,
  runCcs,
  stopAll,
  type TempHome,
  tempHome,
} from './harness.js';

let sim: Simulator;
let home: TempHome;

beforeAll(async () => {
  assertBuilt();
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await stopAll();
  await home.cleanup();
});

/** A port that was free a moment ago (the kernel hands out a fresh one). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function setPort(port: number): Promise<void> {
  await ensureDir(home.paths.cliproxyDir);
  await writeFile(home.paths.configFile, `proxy:\n  port: ${port}\n`);
}

/** Starts `ccs iflow --proxy` and reads the two export lines. */
async function startProxyCommand() {
  const run = runCcs(['iflow', '--proxy'], baseEnv(home, sim));
  const out = await run.waitForStdout(/ANTHROPIC_AUTH_TOKEN=.*\n/);
  const exports = Object.fromEntries(
    [...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  return { run, out, url: exports.ANTHROPIC_BASE_URL!, token: exports.ANTHROPIC_AUTH_TOKEN! };
}

function ask(url: string, token: string) {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': token,
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({
      model: 'qwen3-coder-plus',
      max_tokens: 32,
      messages: [{ role: 'user', content: 'Say hello.' }],
    }),
  });
}

describe('ccs iflow --proxy', () => {
  it('serves a plain HTTP client with the printed secret until SIGTERM', async () => {
    await addAccount(sim, home.paths, 'alice@example.com');
    const port = await freePort();
    await setPort(port);

    const { run, out, url, token } = await startProxyCommand();
    // stdout is only what `eval` needs.
    expect(out).toBe(`export ANTHROPIC_BASE_URL=${url}\nexport ANTHROPIC_AUTH_TOKEN=${token}\n`);
    expect(url).toBe(`http://127.0.0.1:${port}`);

    const answer = await ask(url, token);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ type: 'message', role: 'assistant' });
    expect((await ask(url, 'not-the-secret')).status).toBe(401);

    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toBe(out);
    expect(await refusesConnections(port)).toBe(true);
  });

  it('keeps its secret in cliproxy/proxy.key (0600) across restarts', async () => {
    await setPort(await freePort());
    const first = await startProxyCommand();
    first.run.child.kill('SIGINT');
    expect((await first.run.exited).code).toBe(0);
    // No account yet: said once on stderr, and the proxy served anyway.
    expect(first.run.stderr()).toContain('run `ccs iflow --auth` in another terminal');

    const mode = (await stat(home.paths.proxyKeyFile)).mode & 0o777;
    expect(mode).toBe(0o600);

    const second = await startProxyCommand();
    second.run.child.kill('SIGTERM');
    expect((await second.run.exited).code).toBe(0);
    expect(second.token).toBe(first.token);
    expect(second.token.length).toBeGreaterThanOrEqual(32);
  });

  it('names the port and the setting when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await setPort(port);
      const run = runCcs(['iflow', '--proxy'], baseEnv(home, sim));
      expect((await run.exited).code).toBe(1);
      expect(run.stdout()).toBe('');
      expect(run.stderr()).toContain(String(port));
      expect(run.stderr()).toContain('proxy.port');
      expect(run.stderr()).toContain(home.paths.configFile);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
