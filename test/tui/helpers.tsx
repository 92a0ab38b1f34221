import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { render as inkRender } from 'ink';
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, beforeEach, vi } from 'vitest';
import type {
  AccountNotice,
  LoginRequest,
  SessionHolder,
  SessionStatsView,
  TuiServices,
} from '../../hooks/services.js';
import { ServicesContext } from '../../hooks/services.js';
import { ColorContext } from '../../screens/components/theme.js';
import { recordApiKey, recordLogin } from '../../src/accounts/registry.js';
import { updateTokenFile } from '../../src/accounts/token-store.js';
import { type Clock, systemClock } from '../../src/clock.js';
import { type CcsPaths, ccsPaths } from '../../src/home.js';
import { silentLogger } from '../../src/log.js';
import { definitionFromEntry } from '../../src/providers/config-providers.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import type { ProviderDefinition } from '../../src/providers/types.js';

/** Keys as a terminal sends them. */
export const ARROW_UP = '\u001B[A';
export const ARROW_DOWN = '\u001B[B';
export const ENTER = '\r';
export const ESC = '\u001B';
export const BACKSPACE = '\u007F';
export const CTRL_C = '\u0003';
export const CTRL_S = '\u0013';

/** A provider whose endpoints point at a closed local port: nothing is ever sent. */
export const PROVIDER: ProviderDefinition = iflowProvider(
  'http://127.0.0.1:9/auth',
  'http://127.0.0.1:9/v1',
);

export async function tempHome(): Promise<{ paths: CcsPaths; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ccs-tui-'));
  // Retries: a screen unmounted a moment ago may still be finishing a write.
  const cleanup = () => rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  return { paths: ccsPaths(home), cleanup };
}

/** Stores an account the way a login would, with tokens valid for `hours`. */
export async function seedAccount(paths: CcsPaths, email: string, hours = 72) {
  const now = Date.now();
  return recordLogin(paths, 'iflow', {
    identity: { email },
    tokens: {
      access_token: `at-${email}`,
      refresh_token: `rt-${email}`,
      api_key: `sk-${email}`,
      expired: new Date(now + hours * 3_600_000).toISOString(),
      last_refresh: new Date(now).toISOString(),
      token_type: 'Bearer',
      scope: 'all',
    },
    now: new Date(now),
  });
}

/** Marks a seeded iflow account as a refused refresh leaves it: needs login. */
export async function markNeedsLogin(paths: CcsPaths, accountId: string) {
  await updateTokenFile(paths.tokenFile('iflow', accountId), (current) =>
    current ? { ...current, needs_login: true } : undefined,
  );
}

export interface FakeSession extends SessionHolder {
  notify(notice: AccountNotice): void;
  prepared: string[];
}

/** A session holder that records what the app asks of it. */
export function fakeSession(stats: SessionStatsView = emptyStats()): FakeSession {
  const listeners = new Set<(notice: AccountNotice) => void>();
  const prepared: string[] = [];
  return {
    prepared,
    prepare: async (provider) => {
      prepared.push(provider.id);
      return { proxyUrl: 'http://127.0.0.1:4999' };
    },
    runClaude: async () => 0,
    stats: () => stats,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify: (notice) => {
      for (const listener of listeners) listener(notice);
    },
    closeAll: async () => {},
  };
}

function emptyStats(): SessionStatsView {
  return { requests: 0, errors: 0, failovers: 0, inputTokens: 0, outputTokens: 0 };
}

export interface TestServices extends TuiServices {
  raw: string[];
  opened: string[];
  logins: LoginRequest[];
  /** Keys handed to saveApiKey, in order. */
  savedKeys: string[];
}

export function makeServices(
  paths: CcsPaths,
  overrides: Partial<TuiServices> & { clock?: Clock } = {},
): TestServices {
  const raw: string[] = [];
  const opened: string[] = [];
  const logins: LoginRequest[] = [];
  const savedKeys: string[] = [];
  return {
    paths,
    env: {},
    clock: systemClock,
    logger: silentLogger,
    loadProviders: async () => [PROVIDER],
    login: (request) => {
      logins.push(request);
      return new Promise(() => {});
    },
    // The real registry on the test's temp home: files are written as in use.
    saveApiKey: (request) => {
      savedKeys.push(request.apiKey);
      return recordApiKey(paths, request.provider.id, {
        apiKey: request.apiKey,
        ...(request.nickname ? { nickname: request.nickname } : {}),
        now: new Date(),
      });
    },
    session: fakeSession(),
    writeRaw: (data) => raw.push(data),
    openBrowser: async (url) => {
      opened.push(url);
      return 'opened';
    },
    isSsh: false,
    hyperlinks: false,
    color: false,
    raw,
    opened,
    logins,
    savedKeys,
    ...overrides,
  };
}

/** Renders `element` with the services and colour off, as the app does. */
export function renderWith(services: TuiServices, element: ReactElement) {
  return render(
    <ServicesContext.Provider value={services}>
      <ColorContext.Provider value={services.color}>{element}</ColorContext.Provider>
    </ServicesContext.Provider>,
  );
}

type Frames = { lastFrame: () => string | undefined };

/**
 * Waits until the last frame satisfies `expected` (a substring or a test),
 * checking after every event-loop turn; fails with the frame it saw.
 */
export async function waitForFrame(
  app: Frames,
  expected: string | ((frame: string) => boolean),
  timeoutMs = 4000,
): Promise<string> {
  const test = typeof expected === 'string' ? (f: string) => f.includes(expected) : expected;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (test(frame)) {
      await effectsFlushed();
      return frame;
    }
    if (Date.now() > deadline) {
      throw new Error(`Frame never matched ${String(expected)}. Last frame:\n${frame}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Ink attaches a screen's newest key handler in an effect after the frame is
 * drawn; a key written before that would reach the previous handler. React
 * renders and then runs those effects on scheduler tasks (setImmediate in
 * Node), a few loop turns apart; eight turns settle them with room to spare.
 */
export async function effectsFlushed(): Promise<void> {
  for (let turn = 0; turn < 8; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** Fails the test when React printed an act() warning (or any other error). */
export function failOnReactWarnings(): void {
  const spy = vi.spyOn(console, 'error');
  afterEach(() => {
    const calls = spy.mock.calls.map((args) => args.map(String).join(' '));
    spy.mockClear();
    const warnings = calls.filter((line) => /act\(|Warning:/.test(line));
    if (warnings.length > 0) throw new Error(`React warned:\n${warnings.join('\n')}`);
  });
}

/** What `setUpTuiTest` gives a test file; read it inside tests and hooks. */
export interface TuiTestBed {
  /** This test's temp ccs home. */
  readonly paths: CcsPaths;
  /** Swaps this test's home for a new, empty one (no seeded accounts). */
  emptyHome(): Promise<void>;
}

/**
 * Registers the hooks a screen test file needs: a failure when React warned,
 * and a fresh temp home before each test (with `accounts` seeded, as
 * [email, hours valid]) that is removed after it.
 */
export function setUpTuiTest(
  options: { accounts?: Array<[email: string, hours?: number]> } = {},
): TuiTestBed {
  failOnReactWarnings();
  let home: { paths: CcsPaths; cleanup: () => Promise<void> } | undefined;
  beforeEach(async () => {
    home = await tempHome();
    for (const [email, hours] of options.accounts ?? []) {
      await seedAccount(home.paths, email, hours);
    }
  });
  afterEach(async () => {
    await home?.cleanup();
    home = undefined;
  });
  return {
    get paths() {
      if (!home) throw new Error('no temp home: read the test bed inside a test');
      return home.paths;
    },
    async emptyHome() {
      await home?.cleanup();
      home = await tempHome();
    },
  };
}

/** A terminal of a chosen size that can be resized, for layout tests. */
export class SizedStdout extends EventEmitter {
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
  lastFrame = () => this.frames.at(-1);
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** Renders at `columns`×`rows` (ink-testing-library is fixed at 100 columns). */
export function renderSized(
  services: TuiServices,
  element: ReactElement,
  columns: number,
  rows: number,
) {
  const stdout = new SizedStdout(columns, rows);
  // Ink reads keys on 'readable' through read(), one chunk per write.
  let pending: string | null = null;
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    setEncoding() {},
    setRawMode() {},
    ref() {},
    unref() {},
    resume() {},
    pause() {},
    read: () => {
      const chunk = pending;
      pending = null;
      return chunk;
    },
    write(data: string) {
      pending = data;
      stdin.emit('readable');
    },
  });
  const instance = inkRender(
    <ServicesContext.Provider value={services}>
      <ColorContext.Provider value={services.color}>{element}</ColorContext.Provider>
    </ServicesContext.Provider>,
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  return { stdout, stdin, lastFrame: stdout.lastFrame, unmount: () => instance.unmount() };
}

/** A provider as config.yaml defines one (through the real parser), endpoints on closed ports. */
export function configProvider(id: string, entry: Record<string, unknown>): ProviderDefinition {
  return definitionFromEntry(id, entry, 'config.yaml');
}

/** An OpenAI-compatible endpoint that takes a key. */
export const KEYED: ProviderDefinition = configProvider('corp', {
  kind: 'api-key',
  display_name: 'Corp Gateway',
  api_url: 'http://127.0.0.1:9/corp/v1',
  models: [
    { id: 'corp-large', max_tokens: 16384 },
    { id: 'corp-small', max_tokens: 4096 },
  ],
});

/** A local server that takes no key. */
export const KEYLESS: ProviderDefinition = configProvider('local-llm', {
  kind: 'api-key',
  display_name: 'Local LLM',
  api_url: 'http://127.0.0.1:9/local/v1',
  api_key: 'none',
  models: ['llama'],
});

/** A device-code provider found through its issuer's metadata. */
export const ISSUER: ProviderDefinition = configProvider('gateway', {
  kind: 'device-code',
  display_name: 'Company Gateway',
  issuer: 'http://127.0.0.1:9/realms/dev',
  client_id: 'ccs',
  api_url: 'http://127.0.0.1:9/llm/v1',
  models: ['gw-model'],
});

/** Stores an API key account for `providerId`, as the login screen does. */
export function seedApiKey(paths: CcsPaths, providerId: string, apiKey: string, nickname?: string) {
  return recordApiKey(paths, providerId, {
    apiKey,
    ...(nickname ? { nickname } : {}),
    now: new Date(),
  });
}
