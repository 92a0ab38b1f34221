import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, expect } from 'vitest';
import { recordLogin } from '../../src/accounts/registry.js';
import type { Clock } from '../../src/clock.js';
import { type CcsPaths, ccsPaths } from '../../src/home.js';
import { iflowProvider } from '../../src/providers/iflow.js';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { type ProxyHandle, type ProxyOptions, startProxy } from '../../src/proxy/server.js';
import type { RequestSummary } from '../../src/proxy/stats.js';

export const SECRET = 'test-session-secret';

export async function tempHome(): Promise<{ paths: CcsPaths; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ccs-proxy-'));
  return { paths: ccsPaths(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Adds a logged-in iFlow account whose chat api key is `apiKey`. */
export async function addAccount(
  paths: CcsPaths,
  email: string,
  apiKey: string,
  at = new Date('2026-01-01T00:00:00Z'),
): Promise<void> {
  await recordLogin(paths, 'iflow', {
    identity: { email },
    tokens: {
      access_token: `at-${apiKey}`,
      refresh_token: `rt-${apiKey}`,
      api_key: apiKey,
      expired: '2099-01-01T00:00:00Z',
      last_refresh: at.toISOString(),
      token_type: 'bearer',
      scope: 'all',
    },
    now: at,
  });
}

export interface ReceivedRequest {
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  apiKey: string | undefined;
}

export type UpstreamHandler = (
  req: ReceivedRequest,
  res: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

export interface FakeUpstream {
  apiUrl: string;
  received: ReceivedRequest[];
  /** Requests whose client connection closed before the answer ended. */
  aborted: ReceivedRequest[];
  setHandler(handler: UpstreamHandler): void;
  /** Resolves when the next request's connection closes early. */
  nextAbort(): Promise<void>;
  close(): Promise<void>;
}

/** An OpenAI-compatible upstream the test scripts, on 127.0.0.1:0. */
export async function fakeUpstream(handler?: UpstreamHandler): Promise<FakeUpstream> {
  let current: UpstreamHandler = handler ?? ((_r, res) => completeJson(res, 'Hi'));
  const received: ReceivedRequest[] = [];
  const aborted: ReceivedRequest[] = [];
  const abortWaiters: Array<() => void> = [];
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: ReceivedRequest = {
        url: raw.url ?? '',
        headers: raw.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        apiKey: /^Bearer (.+)$/.exec(raw.headers.authorization ?? '')?.[1],
      };
      received.push(entry);
      res.on('close', () => {
        if (!res.writableFinished) {
          aborted.push(entry);
          for (const wake of abortWaiters.splice(0)) wake();
        }
      });
      void Promise.resolve(current(entry, res, raw)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/v1`,
    received,
    aborted,
    setHandler: (next) => {
      current = next;
    },
    nextAbort: () => new Promise((resolve) => abortWaiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function completeJson(res: ServerResponse, text: string, status = 200): void {
  const body = JSON.stringify({
    id: 'chatcmpl-1',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 2 },
  });
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

export function jsonAnswer(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

export function sseHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
}

export function sseData(value: unknown): string {
  return `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`;
}

export function textChunk(text: string, finish: string | null = null): unknown {
  return { choices: [{ index: 0, delta: { content: text }, finish_reason: finish }] };
}

/** A complete streamed answer of `parts`, with usage and [DONE]. */
export function streamText(res: ServerResponse, parts: string[]): void {
  sseHead(res);
  for (const part of parts) res.write(sseData(textChunk(part)));
  res.write(sseData({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  res.write(sseData({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 } }));
  res.end(sseData('[DONE]'));
}

/** A fake clock whose time only moves when the test says so. */
export function manualClock(start = Date.parse('2026-03-01T12:00:00Z')): Clock & {
  advance(ms: number): void;
} {
  let now = start;
  return {
    now: () => now,
    sleep: async () => undefined,
    advance: (ms) => {
      now += ms;
    },
  };
}

export function testProvider(apiUrl: string): ProviderDefinition {
  return iflowProvider('http://127.0.0.1:9', apiUrl);
}

export async function startTestProxy(
  paths: CcsPaths,
  apiUrl: string,
  extra: Partial<ProxyOptions> = {},
): Promise<ProxyHandle> {
  return startProxy({
    provider: testProvider(apiUrl),
    paths,
    secret: SECRET,
    settings: { env: { ANTHROPIC_MODEL: 'qwen3-coder-plus', ANTHROPIC_MAX_TOKENS: '8192' } },
    // Tests change accounts.json and token files between requests.
    filesRecheckMs: 0,
    ...extra,
  });
}

/** What `setUpProxyWithUpstream` gives a test file; read it inside tests and hooks. */
export interface ProxyTestBed {
  readonly paths: CcsPaths;
  readonly upstream: FakeUpstream;
  /** The running proxy; throws if none is running. */
  readonly proxy: ProxyHandle;
  /** Closes the running proxy, if any, and starts one with `extra` alone. */
  start(extra?: Partial<ProxyOptions>): Promise<ProxyHandle>;
  /** Closes the running proxy now rather than after the test. */
  stop(): Promise<void>;
}

export interface ProxyTestBedOptions {
  /** Accounts to add before each test, in order; default: ann with sk-ann. */
  accounts?: Array<[email: string, apiKey: string, at?: Date]>;
  upstream?: UpstreamHandler;
  /** Options of the proxy started before each test; `false`: the tests call start(). */
  proxy?: Partial<ProxyOptions> | false;
}

/**
 * Registers beforeEach/afterEach hooks that give each test a temp home with
 * accounts, a fake upstream and (unless `proxy: false`) a proxy in front of it,
 * and close them all after it. Call it at the top of a test file.
 */
export function setUpProxyWithUpstream(options: ProxyTestBedOptions = {}): ProxyTestBed {
  let home: { paths: CcsPaths; cleanup(): Promise<void> } | undefined;
  let upstream: FakeUpstream | undefined;
  let proxy: ProxyHandle | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what}: read the test bed inside a test`);
    return value;
  };
  const bed: ProxyTestBed = {
    get paths() {
      return ready(home, 'temp home').paths;
    },
    get upstream() {
      return ready(upstream, 'fake upstream');
    },
    get proxy() {
      return ready(proxy, 'proxy running');
    },
    async start(extra = {}) {
      await bed.stop();
      proxy = await startTestProxy(bed.paths, bed.upstream.apiUrl, extra);
      return proxy;
    },
    async stop() {
      const running = proxy;
      proxy = undefined;
      await running?.close();
    },
  };
  beforeEach(async () => {
    home = await tempHome();
    for (const [email, apiKey, at] of options.accounts ?? [['ann@example.com', 'sk-ann']]) {
      await addAccount(home.paths, email, apiKey, at);
    }
    upstream = await fakeUpstream(options.upstream);
    if (options.proxy !== false) await bed.start(options.proxy);
  });
  afterEach(async () => {
    await bed.stop();
    await upstream?.close();
    await home?.cleanup();
    upstream = undefined;
    home = undefined;
  });
  return bed;
}

export interface ProxyAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in tests
  json(): any;
}

export async function call(
  proxy: { url: string },
  pathName: string,
  body?: unknown,
  headers: Record<string, string> = {},
  method = body === undefined ? 'GET' : 'POST',
): Promise<ProxyAnswer> {
  const answer = await request(`${proxy.url}${pathName}`, {
    method: method as 'GET',
    headers: {
      'x-api-key': SECRET,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await answer.body.text();
  return {
    status: answer.statusCode,
    headers: answer.headers,
    text,
    json: () => JSON.parse(text),
  };
}

/**
 * Sends a non-streaming request with `body` through the bed's proxy, expects a
 * 200, and returns the body that reached the upstream.
 */
export async function sentUpstream(
  bed: ProxyTestBed,
  body: Record<string, unknown>,
  // biome-ignore lint/suspicious/noExplicitAny: the upstream body is checked field by field
): Promise<Record<string, any>> {
  const answer = await call(bed.proxy, '/v1/messages?beta=true', {
    model: 'qwen3-coder-plus',
    max_tokens: 512,
    ...body,
  });
  expect(answer.status).toBe(200);
  return bed.upstream.received.at(-1)!.body;
}

export interface SseFrame {
  event: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: frames are checked field by field in tests
  data: any;
}

/** Parses an Anthropic SSE body into frames. */
export function parseFrames(text: string): SseFrame[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      return { event, data: JSON.parse(data.join('\n')) };
    });
}

export function userRequest(text: string, extra: Record<string, unknown> = {}) {
  return {
    model: 'qwen3-coder-plus',
    max_tokens: 1024,
    messages: [{ role: 'user', content: text }],
    ...extra,
  };
}

/** A streaming answer read frame by frame, for tests that act mid-stream. */
export interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  frames: SseFrame[];
  /** Reads until a frame matches; returns it. */
  until(match: (frame: SseFrame) => boolean): Promise<SseFrame>;
  /** Reads to the end; returns all frames. */
  rest(): Promise<SseFrame[]>;
  abort(): void;
}

export async function openStream(
  proxy: { url: string },
  body: unknown,
  headers: Record<string, string> = {},
): Promise<OpenStream> {
  const controller = new AbortController();
  const answer = await request(`${proxy.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'x-api-key': SECRET, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const frames: SseFrame[] = [];
  const decoder = new TextDecoder();
  const iterator = answer.body[Symbol.asyncIterator]();
  let buffer = '';
  let cursor = 0;
  const pull = async (): Promise<boolean> => {
    const step = await iterator.next();
    if (step.done) return false;
    buffer += decoder.decode(step.value as Buffer, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.trim()) frames.push(...parseFrames(`${block}\n\n`));
      end = buffer.indexOf('\n\n');
    }
    return true;
  };
  return {
    status: answer.statusCode,
    headers: answer.headers,
    frames,
    async until(match) {
      for (;;) {
        while (cursor < frames.length) {
          const frame = frames[cursor++]!;
          if (match(frame)) return frame;
        }
        if (!(await pull())) throw new Error('stream ended before the expected frame');
      }
    },
    async rest() {
      while (await pull()) {}
      return frames;
    },
    abort: () => controller.abort(),
  };
}

/** A promise the test resolves to let a scripted upstream continue. */
export function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

export function eventNames(frames: SseFrame[]): string[] {
  return frames.map((frame) => frame.event ?? '?');
}

/** Resolves with the summary of the next request the proxy finishes. */
export function nextSummary(proxy: ProxyHandle): Promise<RequestSummary> {
  return new Promise((resolve) => {
    const stop = proxy.onEvent((event) => {
      if (event.type !== 'request') return;
      stop();
      resolve(event.summary);
    });
  });
}
