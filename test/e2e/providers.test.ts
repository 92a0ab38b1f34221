import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { listAccounts } from '../../src/accounts/registry.js';
import {
  assertBuilt,
  baseEnv,
  CLI,
  runCcs,
  stopAll,
  type TempHome,
  tempHome,
} from '../launch/harness.js';
import {
  completeJson,
  type FakeUpstream,
  fakeUpstream,
  jsonAnswer,
  type ReceivedRequest,
  streamText,
} from '../proxy/helpers.js';

/*
 * The real Claude Code (installed by global-setup.ts) through the built ccs
 * on providers that are only data in config.yaml: an OpenAI-compatible
 * endpoint with an API key, a local server without one, and one nothing
 * listens for.
 */

const KEY = 'sk-e2e-provider-7f3a';

let home: TempHome;
let workDir: string;
let upstream: FakeUpstream | undefined;

beforeAll(() => assertBuilt());
beforeEach(async () => {
  home = await tempHome();
  workDir = path.join(home.dir, 'project');
  await mkdir(workDir);
});
afterEach(async () => {
  await stopAll();
  await upstream?.close();
  upstream = undefined;
  await home.cleanup();
});

async function writeConfig(providers: Record<string, unknown>): Promise<void> {
  await mkdir(path.dirname(home.paths.configFile), { recursive: true });
  await writeFile(home.paths.configFile, yaml.dump({ providers }));
}

function env(): Record<string, string> {
  return baseEnv(home, undefined, {
    CCS_CLAUDE_BIN: inject('claudeBin'),
    CLAUDE_CODE_MAX_RETRIES: '1',
  });
}

async function claude(providerId: string, args: string[]) {
  const run = runCcs([providerId, ...args], env(), { cwd: workDir });
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** `ccs <args>` with `input` on standard input (a pipe, so no terminal). */
function ccsWithInput(args: string[], input: string) {
  const child = spawn(process.execPath, [CLI, ...args], { env: env(), cwd: workDir });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * An OpenAI-compatible upstream that answers `word` (streamed when asked)
 * when `authorized` accepts the request, 401 otherwise.
 */
async function answering(
  word: string,
  authorized: (request: ReceivedRequest) => boolean,
): Promise<FakeUpstream> {
  return fakeUpstream((request, res) => {
    if (!authorized(request)) return jsonAnswer(res, 401, { error: { message: 'who are you?' } });
    if (request.url.endsWith('/models')) {
      return jsonAnswer(res, 200, { data: [{ id: 'gw-coder' }] });
    }
    if (request.body.stream === true) return streamText(res, [`The word is `, `${word}.`]);
    completeJson(res, `The word is ${word}.`);
  });
}

function chats(server: FakeUpstream): ReceivedRequest[] {
  return server.received.filter((request) => request.url.endsWith('/chat/completions'));
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the real claude on config.yaml providers', () => {
  it('an API-key endpoint: --auth --api-key from stdin, then ccs gw -p', async () => {
    upstream = await answering(
      'kiwi',
      (request) => request.headers.authorization === `Bearer ${KEY}`,
    );
    await writeConfig({
      gw: {
        kind: 'api-key',
        display_name: 'Test gateway',
        api_url: upstream.apiUrl,
        models: [{ id: 'gw-coder', max_tokens: 4096 }],
      },
    });

    const auth = await ccsWithInput(['gw', '--auth', '--api-key'], `${KEY}\n`);
    expect(auth).toMatchObject({
      code: 0,
      stdout: 'Saved the Test gateway API key as key-7f3a.\n',
    });
    expect(await listAccounts(home.paths, 'gw')).toHaveLength(1);

    const result = await claude('gw', ['-p', 'Which word?']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('kiwi');
    const sent = chats(upstream);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.every((request) => request.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(sent.some((request) => request.body.model === 'gw-coder')).toBe(true);
    expect(JSON.stringify(sent.map((request) => request.body.messages))).toContain('Which word?');
  });

  it('a local server without a key: no login, no Authorization header', async () => {
    upstream = await answering('fig', (request) => request.headers.authorization === undefined);
    await writeConfig({
      lab: { kind: 'api-key', api_url: upstream.apiUrl, api_key: 'none', models: ['gw-coder'] },
    });
    const auth = await ccsWithInput(['lab', '--auth'], '');
    expect(auth.code).toBe(0);
    expect(auth.stdout).toContain('nothing to log in to');

    const result = await claude('lab', ['-p', 'Which word?']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('fig');
    expect(chats(upstream).length).toBeGreaterThanOrEqual(1);
  });

  it('a provider nothing listens for: the error names its URL', async () => {
    const apiUrl = `http://127.0.0.1:${await deadPort()}/v1`;
    await writeConfig({
      gone: { kind: 'api-key', api_url: apiUrl, api_key: 'none', models: ['gw-coder'] },
    });
    const result = await claude('gone', ['-p', 'Anyone there?']);
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(apiUrl);
  });
});
