/**
 * PROTOCOL.md §11 items that were only tested on the pure translation
 * functions, now through the proxy's socket with a fake upstream behind it.
 * See /work/notes/protocol-coverage.md for the item → test table.
 */
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { IMAGE_TOKENS } from '../../src/proxy/translate/tokens.js';
import {
  claudeCodeLikeRequest,
  REFERENCE_TEXT_TOKENS,
  REFERENCE_TOKENS,
} from '../translate/token-fixture.js';
import {
  call,
  eventNames,
  jsonAnswer,
  openStream,
  SECRET,
  type SseFrame,
  sentUpstream,
  setUpProxyWithUpstream,
  sseData,
  sseHead,
  userRequest,
} from './helpers.js';

const bed = setUpProxyWithUpstream({ proxy: { pingIntervalMs: 60_000 } });

const sent = (body: Record<string, unknown>) => sentUpstream(bed, body);

/** The Anthropic message the proxy answers for an upstream completion `json`. */
// biome-ignore lint/suspicious/noExplicitAny: the answer is checked field by field
async function answered(json: unknown, extra: Record<string, unknown> = {}): Promise<any> {
  bed.upstream.setHandler((_req, res) => jsonAnswer(res, 200, json));
  const answer = await call(bed.proxy, '/v1/messages', userRequest('go', { ...tools, ...extra }));
  expect(answer.status).toBe(200);
  return answer.json();
}

/** The Anthropic frames (pings left out) the proxy streams for upstream `chunks`. */
async function streamed(chunks: unknown[], done = true): Promise<SseFrame[]> {
  bed.upstream.setHandler((_req, res: ServerResponse) => {
    sseHead(res);
    for (const chunk of chunks) res.write(sseData(chunk));
    res.end(done ? sseData('[DONE]') : undefined);
  });
  const stream = await openStream(bed.proxy, userRequest('go', { stream: true, ...tools }));
  expect(stream.status).toBe(200);
  const frames = (await stream.rest()).filter((f) => f.event !== 'ping');
  expectGrammar(frames);
  return frames;
}

/**
 * Item 59 and §1.4: one message_start first, one message_delta, one
 * message_stop last and nothing after it; every frame's event name is its
 * type; deltas and stops only for the one open block; indices 0, 1, 2, ….
 */
function expectGrammar(frames: SseFrame[]): void {
  const names = eventNames(frames);
  for (const frame of frames) expect(frame.event).toBe(frame.data.type);
  expect(names[0]).toBe('message_start');
  expect(names.filter((n) => n === 'message_start')).toHaveLength(1);
  if (names.includes('error')) {
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('message_stop');
  } else {
    expect(names.filter((n) => n === 'message_delta')).toHaveLength(1);
    expect(names.filter((n) => n === 'message_stop')).toHaveLength(1);
    expect(names.at(-1)).toBe('message_stop');
    expect(names.at(-2)).toBe('message_delta');
  }
  let open: number | undefined;
  let next = 0;
  for (const frame of frames) {
    const index = frame.data.index as number | undefined;
    if (frame.event === 'content_block_start') {
      expect(open).toBeUndefined();
      expect(index).toBe(next++);
      open = index;
    } else if (frame.event === 'content_block_delta') {
      expect(index).toBe(open);
    } else if (frame.event === 'content_block_stop') {
      expect(index).toBe(open);
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
}

/** Each block as [type, carried content]: text, thinking text, or tool input JSON. */
function blocks(frames: SseFrame[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const frame of frames) {
    if (frame.event === 'content_block_start') out.push([frame.data.content_block.type, '']);
    if (frame.event !== 'content_block_delta') continue;
    const delta = frame.data.delta;
    const last = out.at(-1)!;
    last[1] += delta.text ?? delta.thinking ?? delta.partial_json ?? '';
  }
  return out;
}

const stopReason = (frames: SseFrame[]) =>
  frames.find((f) => f.event === 'message_delta')!.data.delta.stop_reason;

const tools = {
  tools: [
    { name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } },
    { name: 'T', input_schema: { type: 'object', properties: {} } },
  ],
};

const toolCallChunk = (index: number, part: Record<string, unknown>) => ({
  choices: [{ index: 0, delta: { tool_calls: [{ index, ...part }] } }],
});
const delta = (value: Record<string, unknown>, finish: string | null = null) => ({
  choices: [{ index: 0, delta: value, finish_reason: finish }],
});
const finish = (reason: string) => delta({}, reason);

describe('item 3 on the wire', () => {
  it('a request with only Authorization: Bearer (no x-api-key header at all) is accepted', async () => {
    const send = (headers: Record<string, string>) =>
      request(`${bed.proxy.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(userRequest('hi')),
      });
    const bearer = await send({ authorization: `Bearer ${SECRET}` });
    await bearer.body.text();
    expect(bearer.statusCode).toBe(200);
    const missing = await send({});
    expect(missing.statusCode).toBe(401);
    expect(await missing.body.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
    const wrongBearer = await send({ authorization: 'Bearer nope' });
    await wrongBearer.body.text();
    expect(wrongBearer.statusCode).toBe(401);
    expect(bed.upstream.received).toHaveLength(1);
  });
});

describe('request translation through the socket', () => {
  it('item 10: a base64 image becomes an image_url data URL', async () => {
    const body = await sent({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
          ],
        },
      ],
    });
    expect(body.messages.at(-1).content).toContainEqual({
      type: 'image_url',
      image_url: { url: 'data:image/png;base64,iVBOR' },
    });
  });

  it('item 12: an is_error tool result says it is an error', async () => {
    const body = await sent({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', content: 'boom', is_error: true }],
        },
      ],
      ...tools,
    });
    expect(body.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 't1',
      content: 'Error: boom',
    });
  });

  it('items 13/14: assistant text + tool_use, and tool_use alone (content "")', async () => {
    const call = (id: string) => ({
      type: 'tool_use',
      id,
      name: 'Bash',
      input: { command: 'ls' },
    });
    const result = (id: string) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });
    const body = await sent({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }, call('toolu_1')] },
        { role: 'user', content: [result('toolu_1')] },
        { role: 'assistant', content: [call('toolu_2')] },
        { role: 'user', content: [result('toolu_2')] },
      ],
      ...tools,
    });
    const fn = { name: 'Bash', arguments: '{"command":"ls"}' };
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: 'ok',
      tool_calls: [{ id: 'toolu_1', type: 'function', function: fn }],
    });
    expect(body.messages[3]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'toolu_2', type: 'function', function: fn }],
    });
  });

  it('item 15: whitespace-only text is dropped without breaking tool adjacency', async () => {
    const body = await sent({
      messages: [
        { role: 'user', content: [{ type: 'text', text: '  ' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: ' \n ' },
            { type: 'tool_use', id: 't', name: 'Bash', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't', content: 'done' },
            { type: 'text', text: '\n' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: '   ' }] },
        { role: 'user', content: 'thanks' },
      ],
      ...tools,
    });
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual([
      'assistant',
      'tool',
      'user',
    ]);
    expect(body.messages[0].content).toBe('');
  });

  it('items 16/18: custom tools become functions, server tools are not sent', async () => {
    const body = await sent({
      messages: [{ role: 'user', content: 'go' }],
      tools: [
        {
          name: 'Read',
          description: 'd',
          input_schema: { type: 'object', properties: { path: { type: 'string' } } },
        },
        { name: 'Bare', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
      ],
    });
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'Read',
          description: 'd',
          parameters: { type: 'object', properties: { path: { type: 'string' } } },
        },
      },
      {
        type: 'function',
        function: { name: 'Bare', description: '', parameters: { type: 'object', properties: {} } },
      },
    ]);
  });

  it('items 19/20: empty tools send no tool_choice; tool_choice and parallel calls map', async () => {
    const empty = await sent({
      messages: [{ role: 'user', content: 'title this' }],
      tools: [],
      tool_choice: { type: 'auto' },
    });
    expect(empty).not.toHaveProperty('tools');
    expect(empty).not.toHaveProperty('tool_choice');

    const base = { messages: [{ role: 'user', content: 'go' }], ...tools };
    expect((await sent({ ...base, tool_choice: { type: 'any' } })).tool_choice).toBe('required');
    expect((await sent({ ...base, tool_choice: { type: 'none' } })).tool_choice).toBe('none');
    const named = await sent({
      ...base,
      tool_choice: { type: 'tool', name: 'Bash', disable_parallel_tool_use: true },
    });
    expect(named.tool_choice).toEqual({ type: 'function', function: { name: 'Bash' } });
    expect(named.parallel_tool_calls).toBe(false);
  });

  it('item 21: stop_sequences become stop; stream asks for usage', async () => {
    const body = await sent({
      messages: [{ role: 'user', content: 'go' }],
      stop_sequences: ['END'],
    });
    expect(body.stop).toEqual(['END']);
    expect(body.stream).toBeUndefined();
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(sseData(delta({ content: 'x' }, 'stop')));
      res.end(sseData('[DONE]'));
    });
    await (await openStream(bed.proxy, userRequest('go', { stream: true }))).rest();
    const streamedBody = bed.upstream.received.at(-1)!.body;
    expect(streamedBody.stream).toBe(true);
    expect(streamedBody.stream_options).toEqual({ include_usage: true });
  });

  it('item 23: signed thinking goes back as reasoning_content only where the model wants it', async () => {
    const messages = [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'T', signature: 'sig' },
          { type: 'tool_use', id: 't', name: 'Bash', input: {} },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
    ];
    const glm = await sent({ model: 'glm-4.6', messages, ...tools });
    expect(glm.messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'T' });
    const qwen = await sent({ model: 'qwen3-coder-plus', messages, ...tools });
    expect(qwen.messages[1]).not.toHaveProperty('reasoning_content');
  });

  it('item 24: a non-leading system message never reaches upstream as role system', async () => {
    const body = await sent({
      system: 'S',
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'system', content: 'reminder' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(body.messages[0]).toEqual({ role: 'system', content: 'S' });
    expect(body.messages.slice(1).map((m: { role: string }) => m.role)).not.toContain('system');
    expect(JSON.stringify(body.messages.slice(1))).toContain('reminder');
  });

  it('item 26: metadata and context_management dropped; effort drives the thinking knob', async () => {
    const high = await sent({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: 'go' }],
      metadata: { user_id: 'user_abc_session_1' },
      context_management: { edits: [] },
      thinking: { type: 'adaptive', display: 'omitted' },
      output_config: { effort: 'high' },
      service_tier: 'auto',
      container: 'c',
    });
    for (const field of ['metadata', 'context_management', 'output_config', 'service_tier']) {
      expect(high).not.toHaveProperty(field);
    }
    expect(high).not.toHaveProperty('container');
    expect(high.chat_template_kwargs).toEqual({ enable_thinking: true });
    const low = await sent({
      model: 'glm-4.6',
      messages: [{ role: 'user', content: 'go' }],
      thinking: { type: 'adaptive' },
      output_config: { effort: 'low' },
    });
    expect(low.chat_template_kwargs).toEqual({ enable_thinking: false });
  });
});

describe('non-streaming answers through the socket', () => {
  const completion = (message: Record<string, unknown>, reason: string, usage?: unknown) => ({
    id: 'c1',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: reason }],
    usage: usage ?? { prompt_tokens: 10, completion_tokens: 2 },
  });

  it('item 28: thinking (signed), then text, then tool_use; stop_reason tool_use', async () => {
    const message = await answered(
      completion(
        {
          reasoning_content: 'R',
          content: 'A',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'Bash', arguments: '{"command":"ls"}' },
            },
          ],
        },
        'tool_calls',
      ),
    );
    expect(message.content.map((b: { type: string }) => b.type)).toEqual([
      'thinking',
      'text',
      'tool_use',
    ]);
    expect(message.content[0].thinking).toBe('R');
    expect(message.content[0].signature.length).toBeGreaterThan(0);
    expect(message.content[1]).toEqual({ type: 'text', text: 'A' });
    expect(message.content[2]).toEqual({
      type: 'tool_use',
      id: 'call_1',
      name: 'Bash',
      input: { command: 'ls' },
    });
    expect(message.stop_reason).toBe('tool_use');
  });

  it('item 29: broken or non-object arguments become usable input', async () => {
    const cases: Array<[unknown, unknown]> = [
      ["{'path': 'a'}", { path: 'a' }],
      ['{"path": "a",}', { path: 'a' }],
      ['', {}],
      [null, {}],
      ['[1,2]', {}],
    ];
    for (const [args, input] of cases) {
      const message = await answered(
        completion(
          {
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'T', arguments: args } }],
          },
          'tool_calls',
        ),
      );
      expect(message.content).toEqual([{ type: 'tool_use', id: 'c', name: 'T', input }]);
    }
  });

  it('items 30/31: stop reasons come from what was emitted', async () => {
    const call = {
      tool_calls: [{ id: 'c', type: 'function', function: { name: 'T', arguments: '{}' } }],
    };
    expect((await answered(completion({ content: null, ...call }, 'stop'))).stop_reason).toBe(
      'tool_use',
    );
    expect((await answered(completion({ content: 'x' }, 'length'))).stop_reason).toBe('max_tokens');
    const filtered = await answered(completion({ content: 'x' }, 'content_filter'));
    expect(filtered.stop_reason).toBe('refusal');
    expect((await answered(completion({ content: 'x' }, 'tool_calls'))).stop_reason).toBe(
      'end_turn',
    );
  });

  it('item 32: cached prompt tokens are cache reads, not input', async () => {
    const message = await answered(
      completion({ content: 'x' }, 'stop', {
        prompt_tokens: 100,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 60 },
      }),
    );
    expect(message.usage).toMatchObject({
      input_tokens: 40,
      output_tokens: 5,
      cache_read_input_tokens: 60,
    });
  });

  it('item 33: tool ids are made safe, and generated when empty', async () => {
    const message = await answered(
      completion(
        {
          content: null,
          tool_calls: [
            { id: 'call.abc:1', type: 'function', function: { name: 'T', arguments: '{}' } },
            { id: '', type: 'function', function: { name: 'T', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
    );
    const [first, second] = message.content;
    expect(first.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(second.id).toMatch(/^toolu_[a-zA-Z0-9_-]+$/);
    expect(first.id).not.toBe(second.id);
  });

  it('item 34: a 200 with an error body or no choices is an api_error, not an empty message', async () => {
    for (const body of [{ error: { message: 'internal failure' } }, { id: 'x', object: 'chat' }]) {
      bed.upstream.setHandler((_req, res) => jsonAnswer(res, 200, body));
      // A fresh proxy each time: the server error cools the only account for 1 min.
      await bed.start();
      const answer = await call(bed.proxy, '/v1/messages', userRequest('go'));
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(answer.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect(answer.json()).not.toHaveProperty('content');
    }
  });
});

describe('streaming answers through the socket', () => {
  it('item 39: reasoning after text opens a new thinking block; no thinking delta in text', async () => {
    const frames = await streamed([
      delta({ reasoning_content: 'r1' }),
      delta({ content: 'x' }),
      delta({ reasoning_content: 'r2' }),
      finish('stop'),
    ]);
    expect(blocks(frames)).toEqual([
      ['thinking', 'r1'],
      ['text', 'x'],
      ['thinking', 'r2'],
    ]);
    const types = new Map<number, string>();
    for (const f of frames) {
      if (f.event === 'content_block_start') types.set(f.data.index, f.data.content_block.type);
      if (f.event === 'content_block_delta' && f.data.delta.type === 'thinking_delta') {
        expect(types.get(f.data.index)).toBe('thinking');
      }
    }
    const lastThinking = frames.filter(
      (f) => f.data.index === 2 && f.event === 'content_block_delta',
    );
    expect(lastThinking.at(-1)!.data.delta.type).toBe('signature_delta');
  });

  it('item 43: a call without arguments has input {}; finish stop still means tool_use', async () => {
    const frames = await streamed([
      toolCallChunk(0, { id: 'call_0', function: { name: 'T' } }),
      finish('stop'),
    ]);
    const [[type, input]] = blocks(frames) as [[string, string]];
    expect(type).toBe('tool_use');
    expect(JSON.parse(input || '{}')).toEqual({});
    expect(stopReason(frames)).toBe('tool_use');
  });

  it('item 44: finish tool_calls with no call at all is end_turn', async () => {
    const frames = await streamed([delta({ content: 'nothing to run' }), finish('tool_calls')]);
    expect(stopReason(frames)).toBe('end_turn');
  });

  it('item 45: text, tool, text: each in its own block, in order, nothing dropped', async () => {
    const frames = await streamed([
      delta({ content: 'before' }),
      toolCallChunk(0, { id: 'c1', function: { name: 'Bash', arguments: '{"command":"ls"}' } }),
      delta({ content: 'after' }),
      finish('tool_calls'),
    ]);
    expect(blocks(frames)).toEqual([
      ['text', 'before'],
      ['tool_use', '{"command":"ls"}'],
      ['text', 'after'],
    ]);
    expect(stopReason(frames)).toBe('tool_use');
  });

  it('item 46: no content at all: message_start, message_delta, message_stop only', async () => {
    const frames = await streamed([delta({ role: 'assistant', content: '' }), finish('stop')]);
    expect(eventNames(frames)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(stopReason(frames)).toBe('end_turn');
  });

  it('item 47: usage in the finish chunk itself lands in the single message_delta', async () => {
    const frames = await streamed([
      delta({ content: 'ok' }),
      {
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        usage: { prompt_tokens: 30, completion_tokens: 4 },
      },
    ]);
    const usage = frames.find((f) => f.event === 'message_delta')!.data.usage;
    expect(usage).toMatchObject({ input_tokens: 30, output_tokens: 4 });
  });

  it('item 55: content and finish_reason in one chunk: the content comes first', async () => {
    const frames = await streamed([delta({ content: 'last words' }, 'stop')]);
    expect(eventNames(frames)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(blocks(frames)).toEqual([['text', 'last words']]);
  });

  it('item 56: message_start has an estimate; message_delta the real usage', async () => {
    const frames = await streamed([
      delta({ content: 'hi' }, 'stop'),
      {
        choices: [],
        usage: {
          prompt_tokens: 900,
          completion_tokens: 7,
          prompt_tokens_details: { cached_tokens: 800 },
        },
      },
    ]);
    const start = frames[0]!.data.message;
    expect(start.usage.input_tokens).toBeGreaterThan(0);
    expect(start.usage).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(frames.find((f) => f.event === 'message_delta')!.data.usage).toMatchObject({
      input_tokens: 100,
      output_tokens: 7,
      cache_read_input_tokens: 800,
    });
  });

  it('item 59: one start, delta and stop; nothing after message_stop, even if upstream goes on', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(sseData(delta({ content: 'a' }, 'stop')));
      res.write(sseData({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }));
      res.write(sseData('[DONE]'));
      // A misbehaving upstream that keeps talking after [DONE].
      res.write(sseData(delta({ content: 'late' })));
      res.end(sseData(finish('stop')));
    });
    const stream = await openStream(bed.proxy, userRequest('go', { stream: true }));
    const frames = await stream.rest();
    expectGrammar(frames.filter((f) => f.event !== 'ping'));
    expect(eventNames(frames).at(-1)).toBe('message_stop');
    expect(JSON.stringify(frames)).not.toContain('late');
  });
});

describe('count_tokens through the socket', () => {
  it('item 60: a Claude-Code-sized request is within ±15 % of the o200k count', async () => {
    const answer = await call(
      bed.proxy,
      '/v1/messages/count_tokens?beta=true',
      claudeCodeLikeRequest(),
    );
    expect(answer.status).toBe(200);
    const { input_tokens } = answer.json();
    expect(input_tokens / REFERENCE_TOKENS).toBeGreaterThan(0.85);
    expect(input_tokens / REFERENCE_TOKENS).toBeLessThan(1.15);
    expect(input_tokens).toBeGreaterThanOrEqual(REFERENCE_TEXT_TOKENS);
    expect(bed.upstream.received).toHaveLength(0);
  });

  it('item 61: an image adds a fixed positive estimate and no error', async () => {
    const count = async (content: unknown) =>
      (
        await call(bed.proxy, '/v1/messages/count_tokens', {
          model: 'claude-sonnet-4-5',
          messages: [{ role: 'user', content }],
        })
      ).json().input_tokens as number;
    const text = await count([{ type: 'text', text: 'look at this' }]);
    const image = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(200_000) },
    };
    const withImage = await count([{ type: 'text', text: 'look at this' }, image]);
    expect(withImage - text).toBeGreaterThanOrEqual(IMAGE_TOKENS);
    expect(withImage - text).toBeLessThan(IMAGE_TOKENS + 5);
  });
});
