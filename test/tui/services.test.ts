import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTuiServices, toAccountNotice } from '../../hooks/default-services.js';
import { systemClock } from '../../src/clock.js';
import type { CommandContext } from '../../src/commands/context.js';
import { runDemo } from '../../src/commands/demo.js';
import { ensureDir } from '../../src/fs/atomic.js';
import type { CcsPaths } from '../../src/home.js';
import { silentLogger } from '../../src/log.js';
import { tempHome } from './helpers.js';

let paths: CcsPaths;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ paths, cleanup } = await tempHome());
});
afterEach(() => cleanup());

function context(env: NodeJS.ProcessEnv, isTTY = true) {
  let written = '';
  const stream = {
    write: (data: string) => {
      written += data;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const ctx: CommandContext = {
    paths,
    env,
    stdin: process.stdin,
    stdout: stream,
    stderr: stream,
    isTTY,
    logger: silentLogger,
    clock: systemClock,
    signal: new AbortController().signal,
  };
  return { ctx, written: () => written };
}

describe('createTuiServices', () => {
  it('honours NO_COLOR, knows SSH and turns links off for dumb terminals', async () => {
    expect(createTuiServices(context({}).ctx).color).toBe(true);
    expect(createTuiServices(context({ NO_COLOR: '1' }).ctx).color).toBe(false);
    const remote = createTuiServices(context({ SSH_TTY: '/dev/pts/2', TERM: 'dumb' }).ctx);
    expect(remote.isSsh).toBe(true);
    expect(remote.hyperlinks).toBe(false);
    expect(await remote.openBrowser('http://127.0.0.1:9/device')).toBe('ssh');
  });

  it('lists iFlow with the endpoint overrides from the environment', async () => {
    const services = createTuiServices(
      context({
        CCS_IFLOW_API_URL: 'http://127.0.0.1:7/v1',
        CCS_IFLOW_AUTH_URL: 'http://127.0.0.1:7',
      }).ctx,
    );
    const providers = await services.loadProviders();
    expect(providers[0]).toMatchObject({ id: 'iflow', apiUrl: 'http://127.0.0.1:7/v1' });
    expect(providers[0]?.preset).toBeUndefined();
  });

  it('lists the presets after the configured providers, marked as presets', async () => {
    const services = createTuiServices(context({}).ctx);
    const providers = await services.loadProviders();
    expect(providers.map((p) => [p.id, p.preset ?? false])).toEqual([
      ['iflow', false],
      ['deepseek', true],
      ['openrouter', true],
      ['moonshot', true],
      ['ollama', true],
    ]);
  });

  it('lists a provider of config.yaml as configured, and stores its key 0600', async () => {
    await ensureDir(paths.cliproxyDir);
    await writeFile(
      paths.configFile,
      'providers:\n  corp:\n    kind: api-key\n    api_url: http://127.0.0.1:9/v1\n    models: [m1]\n',
    );
    const services = createTuiServices(context({}).ctx);
    const providers = await services.loadProviders();
    const corp = providers.find((p) => p.id === 'corp');
    expect(providers.map((p) => p.id).slice(0, 2)).toEqual(['iflow', 'corp']);
    expect(corp).toMatchObject({ apiUrl: 'http://127.0.0.1:9/v1', auth: { kind: 'api-key' } });
    expect(corp?.preset).toBeUndefined();

    const { account, created } = await services.saveApiKey({
      provider: corp!,
      apiKey: 'sk-corp-1234',
    });
    expect(created).toBe(true);
    expect(account.nickname).toBe('key-1234');
    const file = await stat(account.tokenPath);
    expect(file.mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(account.tokenPath, 'utf8')).api_key).toBe('sk-corp-1234');
  });

  it('a key saved for a preset makes it a provider of config.yaml', async () => {
    const services = createTuiServices(context({}).ctx);
    const deepseek = (await services.loadProviders()).find((p) => p.id === 'deepseek')!;
    expect(deepseek.preset).toBe(true);
    await services.saveApiKey({ provider: deepseek, apiKey: 'sk-ds-9876', nickname: 'work' });
    const after = (await services.loadProviders()).find((p) => p.id === 'deepseek')!;
    expect(after.preset).toBeUndefined();
    expect(await readFile(paths.configFile, 'utf8')).toContain('deepseek');
  });

  it('also lists a provider named on the command line, when it resolves', async () => {
    const services = createTuiServices(context({}).ctx, { include: ['iflow', 'no-such-provider'] });
    const ids = (await services.loadProviders()).map((p) => p.id);
    expect(ids).toContain('iflow');
    expect(ids).not.toContain('no-such-provider');
  });

  it('writes OSC sequences straight to the terminal stream', () => {
    const { ctx, written } = context({});
    createTuiServices(ctx).writeRaw('\u001B]52;c;QQ==\u0007');
    expect(written()).toBe('\u001B]52;c;QQ==\u0007');
  });
});

describe('toAccountNotice', () => {
  it('reads cooldowns and refused refreshes from the proxy', () => {
    const status = { id: 'a@b.c', nickname: 'a', inFlight: 0, queued: 0 };
    expect(
      toAccountNotice({
        source: 'proxy',
        event: { type: 'account', status: { ...status, state: 'cooling', coolingUntil: 5 } },
      }),
    ).toEqual({ type: 'cooling', accountId: 'a@b.c', until: 5 });
    expect(
      toAccountNotice({
        source: 'proxy',
        event: { type: 'account', status: { ...status, state: 'needs-login' } },
      }),
    ).toEqual({ type: 'needs-login', accountId: 'a@b.c', nickname: 'a' });
    expect(
      toAccountNotice({
        source: 'proxy',
        event: { type: 'failover', requestId: 'r1', from: 'a@b.c', reason: '429' },
      }),
    ).toBeUndefined();
  });

  it('reads the refresh loop news', () => {
    expect(
      toAccountNotice({
        source: 'refresh',
        event: { type: 'needs-login', accountId: 'a@b.c', nickname: 'a', message: 'm' },
      }),
    ).toEqual({ type: 'needs-login', accountId: 'a@b.c', nickname: 'a' });
    expect(
      toAccountNotice({
        source: 'refresh',
        event: { type: 'failed', accountId: 'x', nickname: 'x', message: 'm' },
      }),
    ).toBeUndefined();
  });
});

describe('runDemo', () => {
  it('refuses without a terminal instead of hanging', async () => {
    const { ctx, written } = context({}, false);
    expect(await runDemo(ctx)).toBe(2);
    expect(written()).toContain('run it in a terminal');
  });
});
