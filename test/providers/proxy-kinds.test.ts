import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/commands/run.js';
import type { CcsPaths } from '../../src/home.js';
import { definitionFromEntry } from '../../src/providers/config-providers.js';
import { clearModelCache, listProviderModels } from '../../src/providers/models.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { startProxy } from '../../src/proxy/server.js';
import { testContext } from '../cli/helpers.js';
import {
  call,
  completeJson,
  type FakeUpstream,
  fakeUpstream,
  jsonAnswer,
  SECRET,
  tempHome,
} from '../proxy/helpers.js';

/*
 * The api-key kind's variants through the proxy: a local server without a
 * key, a provider nothing answers for, and models read from `GET /models`.
 */

let paths: CcsPaths;
let cleanup: () => Promise<void>;
let upstream: FakeUpstream | undefined;

beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
  clearModelCache();
});
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
  await cleanup();
});

/** A port that was free a moment ago: nothing listens on it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function keyless(apiUrl: string): ProviderDefinition {
  return definitionFromEntry(
    'lab',
    {
      kind: 'api-key',
      display_name: 'Lab server',
      api_url: apiUrl,
      api_key: 'none',
      models: ['m1'],
    },
    'config.yaml',
  );
}

const PROMPT = { model: 'm1', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };

async function withProxy<T>(
  provider: ProviderDefinition,
  body: (proxy: { url: string }) => Promise<T>,
): Promise<T> {
  const proxy = await startProxy({
    provider,
    paths,
    secret: SECRET,
    settings: { env: { ANTHROPIC_MODEL: provider.defaultModel } },
  });
  try {
    return await body(proxy);
  } finally {
    await proxy.close();
  }
}

describe('a local provider that takes no key', () => {
  it('answers through its implicit account; the upstream sees no Authorization', async () => {
    upstream = await fakeUpstream((_request, res) => completeJson(res, 'local answer'));
    const answer = await withProxy(keyless(upstream.apiUrl), (proxy) =>
      call(proxy, '/v1/messages', PROMPT),
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json().content[0].text).toBe('local answer');
    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]!.headers.authorization).toBeUndefined();
  });
});

describe('a keyed provider with no account yet', () => {
  it('names the command that logs in to it, by its id', async () => {
    const lab = definitionFromEntry(
      'lab',
      {
        kind: 'api-key',
        display_name: 'Lab server',
        api_url: 'http://127.0.0.1:9/v1',
        models: ['m1'],
      },
      'config.yaml',
    );
    const answer = await withProxy(lab, (proxy) => call(proxy, '/v1/messages', PROMPT));
    expect(answer.status).toBe(401);
    expect(answer.json().error.message).toBe(
      'No Lab server account is logged in. Run `ccs lab --auth` to add one.',
    );
  });
});

describe('a provider nothing answers for', () => {
  it("the proxy's answer names its URL", async () => {
    const apiUrl = `http://127.0.0.1:${await deadPort()}/v1`;
    const answer = await withProxy(keyless(apiUrl), (proxy) => call(proxy, '/v1/messages', PROMPT));
    expect(answer.status).toBeGreaterThanOrEqual(500);
    expect(answer.json().error.message).toContain(`Could not reach Lab server at ${apiUrl}`);
  });

  it('still names the URL on the next try, while the account cools down', async () => {
    const apiUrl = `http://127.0.0.1:${await deadPort()}/v1`;
    const answers = await withProxy(keyless(apiUrl), async (proxy) => [
      await call(proxy, '/v1/messages', PROMPT),
      await call(proxy, '/v1/messages', PROMPT),
    ]);
    for (const answer of answers) {
      expect(answer.json().error.message).toContain(`Could not reach Lab server at ${apiUrl}`);
    }
    expect(answers[1]!.json().error.message).toMatch(/cooling down: local resets in/);
  });

  it('--proxy says so at start, naming the URL and config.yaml', async () => {
    const apiUrl = `http://127.0.0.1:${await deadPort()}/v1`;
    await mkdir(path.dirname(paths.configFile), { recursive: true });
    await writeFile(
      paths.configFile,
      yaml.dump({
        proxy: { port: await deadPort() },
        providers: { lab: { kind: 'api-key', api_url: apiUrl, api_key: 'none', models: ['m1'] } },
      }),
    );
    const t = testContext(paths);
    const stdout = t.ctx.stdout as unknown as NodeJS.ReadableStream;
    const started = new Promise<void>((resolve) => stdout.on('data', () => resolve()));
    const run = runCli(t.ctx, ['lab', '--proxy']);
    await started;
    t.abort();
    expect(await run).toBe(0);
    expect(t.stderr()).toContain(`ccs: could not reach lab (${apiUrl}/models: connection refused)`);
    expect(t.stderr()).toContain(`providers.lab.api_url in ${paths.configFile}`);
  });

  it('--proxy names CCS_<ID>_API_URL when that is where the URL came from', async () => {
    const apiUrl = `http://127.0.0.1:${await deadPort()}/v1`;
    await mkdir(path.dirname(paths.configFile), { recursive: true });
    await writeFile(paths.configFile, yaml.dump({ proxy: { port: await deadPort() } }));
    const t = testContext(paths, { env: { CCS_OLLAMA_API_URL: apiUrl } });
    const stdout = t.ctx.stdout as unknown as NodeJS.ReadableStream;
    const started = new Promise<void>((resolve) => stdout.on('data', () => resolve()));
    const run = runCli(t.ctx, ['ollama', '--proxy']);
    await started;
    t.abort();
    expect(await run).toBe(0);
    expect(t.stderr()).toContain(`(${apiUrl}/models: connection refused)`);
    expect(t.stderr()).toContain('check the environment variable CCS_OLLAMA_API_URL.');
  });
});

describe('models', () => {
  function provider(apiUrl: string): ProviderDefinition {
    return definitionFromEntry(
      'keyed',
      {
        kind: 'api-key',
        api_url: apiUrl,
        models: [{ id: 'known', max_tokens: 2048 }],
      },
      'config.yaml',
    );
  }

  it("come from the provider's GET /models with the credential, once per process", async () => {
    upstream = await fakeUpstream((request, res) => {
      if (request.apiKey !== 'sk-models') return jsonAnswer(res, 401, { error: {} });
      jsonAnswer(res, 200, { object: 'list', data: [{ id: 'fresh-1' }, { id: 'known' }] });
    });
    const keyed = provider(upstream.apiUrl);
    const first = await listProviderModels(keyed, 'sk-models');
    expect(first).toEqual({
      source: 'upstream',
      models: [
        { id: 'fresh-1', maxOutputTokens: 8192 },
        { id: 'known', maxOutputTokens: 2048 },
      ],
    });
    expect((await listProviderModels(keyed, 'sk-models')).models).toBe(first.models);
    expect(upstream.received.map((r) => r.url)).toEqual(['/v1/models']);

    // The proxy's /v1/models answers with the list this process has.
    const listed = await withProxy(keyed, (proxy) => call(proxy, '/v1/models'));
    expect(listed.json().data.map((m: { id: string }) => m.id)).toEqual(['fresh-1', 'known']);
    expect(listed.json().data[1].max_tokens).toBe(2048);
  });

  it("fall back to the definition's list when /models fails or is unreachable", async () => {
    upstream = await fakeUpstream((_request, res) => jsonAnswer(res, 404, { error: {} }));
    const failing = await listProviderModels(provider(upstream.apiUrl), 'sk');
    expect(failing).toMatchObject({
      source: 'definition',
      models: [{ id: 'known', maxOutputTokens: 2048 }],
      problem: `${upstream.apiUrl}/models answered HTTP 404`,
    });
    expect(failing.unreachable).toBeUndefined();

    const dead = `http://127.0.0.1:${await deadPort()}/v1`;
    const unreachable = await listProviderModels(provider(dead));
    expect(unreachable).toMatchObject({ source: 'definition', unreachable: true });
    const listed = await withProxy(provider(dead), (proxy) => call(proxy, '/v1/models'));
    expect(listed.json().data.map((m: { id: string }) => m.id)).toEqual(['known']);
  });
});
