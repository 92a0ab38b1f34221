import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CcsPaths } from '../../src/home.js';
import type { ProxyHandle } from '../../src/proxy/server.js';
import { signingHeaders } from '../../src/proxy/signing.js';
import { chatRequests } from '../../src/simulator/chat.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { accountFor } from '../../src/simulator/state.js';
import {
  addAccount,
  call,
  eventNames,
  nextSummary,
  openStream,
  type SseFrame,
  startTestProxy,
  tempHome,
  userRequest,
} from './helpers.js';

let home: { paths: CcsPaths; cleanup(): Promise<void> };
let sim: Simulator;
let proxy: ProxyHandle;

beforeEach(async () => {
  home = await tempHome();
  sim = await startSimulator();
  accountFor(sim.state, { email: 'ann@example.com', apiKey: 'sk-ann' });
  accountFor(sim.state, { email: 'bob@example.com', apiKey: 'sk-bob' });
  await addAccount(home.paths, 'ann@example.com', 'sk-ann', new Date('2026-01-01T00:00:00Z'));
  await addAccount(home.paths, 'bob@example.com', 'sk-bob', new Date('2026-01-02T00:00:00Z'));
  proxy = await startTestProxy(home.paths, sim.apiUrl, { pingIntervalMs: 50 });
});

afterEach(async () => {
  await proxy.close();
  await sim.close();
  await home.cleanup();
});

const bash = {
  tools: [
    {
      name: 'Bash',
      description: 'Run a command',
      input_schema: { type: 'object', properties: { command: { type: 'string' } } },
    },
  ],
};

async function arm(kind: string, account: string, data?: Record<string, unknown>) {
  const answer = await request(`${sim.url}/_sim/fault`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind, account, ...(data ? { data } : {}) }),
  });
  expect(answer.statusCode).toBe(200);
  await answer.body.text();
}

const real = (frames: SseFrame[]) => frames.filter((f) => f.event !== 'ping');
const texts = (frames: SseFrame[]) =>
  frames
    .filter((f) => f.event === 'content_block_delta' && f.data.delta.type === 'text_delta')
    .map((f) => f.data.delta.text)
    .join('');

describe('the simulator behind the proxy', () => {
  it('echoes the last user message, streaming and not', async () => {
    const plain = await call(proxy, '/v1/messages', userRequest('hello there'));
    expect(plain.json().content).toEqual([{ type: 'text', text: 'You said: hello there' }]);
    const frames = await (
      await openStream(proxy, userRequest('北京 stream', { stream: true }))
    ).rest();
    expect(texts(frames)).toBe('You said: 北京 stream');
    expect(eventNames(real(frames)).at(-1)).toBe('message_stop');
    const delta = frames.find((f) => f.event === 'message_delta')!;
    expect(delta.data.usage.output_tokens).toBeGreaterThan(0);
  });

  it('answers "run: <command>" with a Bash tool call, in either fragment order', async () => {
    // "ls" gives even-length arguments (id first), "pwd" odd (arguments before the id).
    for (const command of ['ls', 'pwd']) {
      const frames = real(
        await (
          await openStream(proxy, userRequest(`please run: ${command}`, { stream: true, ...bash }))
        ).rest(),
      );
      const start = frames.find(
        (f) => f.event === 'content_block_start' && f.data.content_block.type === 'tool_use',
      )!;
      expect(start.data.content_block).toMatchObject({ name: 'Bash', input: {} });
      expect(start.data.content_block.id).toMatch(/^call_/);
      const input = frames
        .filter((f) => f.event === 'content_block_delta' && f.data.index === start.data.index)
        .map((f) => f.data.delta.partial_json)
        .join('');
      expect(JSON.parse(input)).toEqual({ command });
      expect(frames.find((f) => f.event === 'message_delta')!.data.delta.stop_reason).toBe(
        'tool_use',
      );
    }
  });

  it('quotes a tool result back', async () => {
    const answer = await call(proxy, '/v1/messages', {
      model: 'qwen3-coder-plus',
      max_tokens: 100,
      ...bash,
      messages: [
        { role: 'user', content: 'run: ls' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'call_1', name: 'Bash', input: { command: 'ls' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'README.md' }],
        },
      ],
    });
    expect(answer.json().content.at(-1)).toEqual({
      type: 'text',
      text: 'The tool returned: README.md',
    });
  });

  it('thinks for a thinking model when asked', async () => {
    const frames = real(
      await (
        await openStream(
          proxy,
          userRequest('why?', {
            model: 'glm-4.6',
            stream: true,
            thinking: { type: 'enabled', budget_tokens: 2048 },
          }),
        )
      ).rest(),
    );
    expect(frames[1]!.data.content_block).toEqual({
      type: 'thinking',
      thinking: '',
      signature: '',
    });
    expect(texts(frames)).toBe('You said: why?');
  });

  it('records what reached upstream, including the environment system message', async () => {
    await call(proxy, '/v1/messages', {
      model: 'qwen3-coder-plus',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'Primary working directory: /srv/app' },
      ],
    });
    const [received] = chatRequests(sim.state);
    expect(received?.accountId).toBeDefined();
    expect(JSON.stringify(received?.body)).toContain('/srv/app');
    expect(received?.headers.authorization).toBeUndefined();
  });

  it('fault chat_rate_limit: 429 with Retry-After fails over to the next account', async () => {
    await arm('chat_rate_limit', 'ann@example.com', { retryAfterSec: 9 });
    const summary = nextSummary(proxy);
    const answer = await call(proxy, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(200);
    expect(await summary).toMatchObject({ account: 'bob', failovers: 1 });
    expect(proxy.accounts()[0]).toMatchObject({ nickname: 'ann', state: 'cooling' });
  });

  it('fault chat_449: the HTTP-200 envelope before a stream fails over', async () => {
    await arm('chat_449', 'ann@example.com');
    const summary = nextSummary(proxy);
    const frames = await (await openStream(proxy, userRequest('hi', { stream: true }))).rest();
    expect(texts(frames)).toBe('You said: hi');
    expect((await summary).account).toBe('bob');
  });

  it('fault chat_439: refresh, then the same account again', async () => {
    await proxy.close();
    const refreshed: string[] = [];
    proxy = await startTestProxy(home.paths, sim.apiUrl, {
      refresh: async (id) => {
        refreshed.push(id);
        return { type: 'refreshed' };
      },
    });
    await arm('chat_439', 'ann@example.com');
    const summary = nextSummary(proxy);
    expect((await call(proxy, '/v1/messages', userRequest('hi'))).status).toBe(200);
    expect(refreshed).toEqual(['ann@example.com']);
    expect(await summary).toMatchObject({ account: 'ann', failovers: 0 });
  });

  it('fault chat_model_unsupported: a clear 400, no failover', async () => {
    await arm('chat_model_unsupported', 'ann@example.com');
    const answer = await call(proxy, '/v1/messages', userRequest('hi'));
    expect(answer.status).toBe(400);
    expect(answer.json().error.message).toMatch(/does not support/);
  });

  it('fault chat_cut: a stream cut after the commit point ends with an error event', async () => {
    await arm('chat_cut', 'ann@example.com', { afterChunks: 3 });
    const frames = real(
      await (await openStream(proxy, userRequest('hello', { stream: true }))).rest(),
    );
    expect(frames.at(-1)!.event).toBe('error');
    expect(eventNames(frames)).not.toContain('message_stop');
  });

  it('fault chat_network_error: the stream ends with an error the client retries', async () => {
    await arm('chat_network_error', 'ann@example.com');
    const frames = real(
      await (await openStream(proxy, userRequest('hello', { stream: true }))).rest(),
    );
    const last = frames.at(-1)!;
    expect(last.event).toBe('error');
    expect(['api_error', 'overloaded_error']).toContain(last.data.error.type);
  });

  it('fault chat_stall: pings keep the client company while upstream is silent', async () => {
    await arm('chat_stall', 'ann@example.com', { ms: 400 });
    const stream = await openStream(proxy, userRequest('slow', { stream: true }));
    await stream.until((f) => f.event === 'ping');
    const frames = await stream.rest();
    expect(texts(frames)).toBe('You said: slow');
  });

  it('fault chat_slow_first_byte: the answer still arrives', async () => {
    await arm('chat_slow_first_byte', 'ann@example.com', { ms: 100 });
    const frames = await (await openStream(proxy, userRequest('late', { stream: true }))).rest();
    expect(texts(frames)).toBe('You said: late');
  });
});

describe('the simulator on its own', () => {
  const chat = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
    request(`${sim.apiUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        model: 'qwen3-coder-plus',
        messages: [{ role: 'user', content: 'hi' }],
        ...body,
      }),
    });
  const signed = (key: string) => ({
    authorization: `Bearer ${key}`,
    ...signingHeaders({ signing: 'iflow-hmac' }, key, { now: Date.now() }),
  });

  it('refuses unsigned or wrongly signed requests with 406', async () => {
    const unsigned = await chat({ authorization: 'Bearer sk-ann' });
    expect(unsigned.statusCode).toBe(406);
    await unsigned.body.text();
    const wrong = await chat({
      ...signingHeaders({ signing: 'iflow-hmac' }, 'sk-other', { now: Date.now() }),
      authorization: 'Bearer sk-ann',
    });
    expect(wrong.statusCode).toBe(406);
    await wrong.body.text();
    const unknownKey = await chat(signed('sk-nobody'));
    expect(unknownKey.statusCode).toBe(401);
    await unknownKey.body.text();
    const ok = await chat(signed('sk-ann'));
    expect(ok.statusCode).toBe(200);
    expect(((await ok.body.json()) as { choices: unknown[] }).choices).toHaveLength(1);
  });

  it('allows one request in flight per account; the second gets 429', async () => {
    await arm('chat_slow_first_byte', 'ann@example.com', { ms: 300 });
    const first = chat(signed('sk-ann'));
    // The slow request is in flight once the simulator has recorded it.
    while (chatRequests(sim.state).length === 0) await new Promise((r) => setImmediate(r));
    const second = await chat(signed('sk-ann'));
    expect(second.statusCode).toBe(429);
    await second.body.text();
    const other = await chat(signed('sk-bob'));
    expect(other.statusCode).toBe(200);
    await other.body.text();
    expect((await first).statusCode).toBe(200);
  });
});
