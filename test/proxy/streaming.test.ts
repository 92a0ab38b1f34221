import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  eventNames,
  gate,
  nextSummary,
  openStream,
  SECRET,
  type SseFrame,
  setUpProxyWithUpstream,
  sseData,
  sseHead,
  streamText,
  textChunk,
  userRequest,
} from './helpers.js';

const bed = setUpProxyWithUpstream({ proxy: { pingIntervalMs: 40 } });

const streamRequest = (text = 'hi', extra: Record<string, unknown> = {}) =>
  userRequest(text, { stream: true, ...extra });

/** Frames without pings, which may come at any time. */
const real = (frames: SseFrame[]) => frames.filter((f) => f.event !== 'ping');

function toolInput(frames: SseFrame[], index: number): string {
  return frames
    .filter((f) => f.event === 'content_block_delta' && f.data.index === index)
    .map((f) => f.data.delta.partial_json)
    .join('');
}

/** Every block's deltas lie between its start and stop; no two blocks overlap. */
function expectWellFormed(frames: SseFrame[]): void {
  let open: number | undefined;
  const started = new Set<number>();
  for (const frame of real(frames)) {
    expect(frame.event).toBe(frame.data.type);
    const index = frame.data.index as number | undefined;
    if (frame.event === 'content_block_start') {
      expect(open).toBeUndefined();
      expect(started.has(index!)).toBe(false);
      started.add(index!);
      open = index;
    } else if (frame.event === 'content_block_delta') {
      expect(index).toBe(open);
    } else if (frame.event === 'content_block_stop') {
      expect(index).toBe(open);
      open = undefined;
    }
  }
  const names = eventNames(real(frames));
  expect(names.filter((n) => n === 'message_start')).toHaveLength(1);
  expect(names[0]).toBe('message_start');
}

describe('streaming through the socket', () => {
  it('item 35: text deltas, one message_delta with usage, message_stop, no [DONE]', async () => {
    bed.upstream.setHandler((_req, res) => streamText(res, ['Hel', 'lo']));
    const stream = await openStream(bed.proxy, streamRequest());
    const frames = await stream.rest();
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(eventNames(real(frames))).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const texts = real(frames)
      .filter((f) => f.event === 'content_block_delta')
      .map((f) => f.data.delta.text);
    expect(texts).toEqual(['Hel', 'lo']);
    const delta = real(frames).find((f) => f.event === 'message_delta')!;
    expect(delta.data.delta.stop_reason).toBe('end_turn');
    expect(delta.data.usage.output_tokens).toBe(3);
    expectWellFormed(frames);
    expect(frames.every((f) => JSON.stringify(f.data) !== '"[DONE]"')).toBe(true);
    expect(bed.upstream.received[0]!.body.stream_options).toEqual({ include_usage: true });
  });

  it('item 36: headers and message_start go out before the first token arrives', async () => {
    const tokens = gate();
    bed.upstream.setHandler(async (_req, res) => {
      sseHead(res);
      res.write(sseData({ choices: [{ index: 0, delta: { role: 'assistant' } }] }));
      await tokens.wait;
      streamTextTail(res);
    });
    const stream = await openStream(bed.proxy, streamRequest('hi', { model: 'claude-opus-5-5' }));
    const start = await stream.until((f) => f.event === 'message_start');
    expect(start.data.message.model).toBe('claude-opus-5-5');
    expect(start.data.message.usage.input_tokens).toBeGreaterThan(0);
    expect(stream.frames.some((f) => f.event === 'content_block_delta')).toBe(false);
    tokens.open();
    const frames = await stream.rest();
    expect(eventNames(real(frames)).at(-1)).toBe('message_stop');
  });

  it('item 36: a 2xx upstream that stays silent is committed after commitAfterMs', async () => {
    await bed.start({
      pingIntervalMs: 40,
      commitAfterMs: 30,
    });
    const tokens = gate();
    bed.upstream.setHandler(async (_req, res) => {
      sseHead(res);
      res.flushHeaders();
      await tokens.wait;
      streamTextTail(res);
    });
    const stream = await openStream(bed.proxy, streamRequest());
    await stream.until((f) => f.event === 'message_start');
    expect(bed.upstream.received).toHaveLength(1);
    tokens.open();
    const frames = await stream.rest();
    expect(eventNames(real(frames)).at(-1)).toBe('message_stop');
    expectWellFormed(frames);
  });

  it('item 37: a silent upstream gets pings downstream while it is quiet', async () => {
    const resume = gate();
    bed.upstream.setHandler(async (_req, res) => {
      sseHead(res);
      res.write(sseData(textChunk('a')));
      await resume.wait;
      streamTextTail(res);
    });
    const stream = await openStream(bed.proxy, streamRequest());
    await stream.until((f) => f.event === 'content_block_delta');
    // pingIntervalMs is 40 in this suite: the test waits for the event, not a clock.
    await stream.until((f) => f.event === 'ping');
    resume.open();
    const frames = await stream.rest();
    expect(frames.find((f) => f.event === 'ping')?.data).toEqual({ type: 'ping' });
    expectWellFormed(frames);
  });

  it('item 38: reasoning becomes a signed thinking block before the text block', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(sseData({ choices: [{ index: 0, delta: { reasoning_content: 'a' } }] }));
      res.write(sseData({ choices: [{ index: 0, delta: { reasoning_content: 'b' } }] }));
      res.write(sseData(textChunk('x', 'stop')));
      res.end(sseData('[DONE]'));
    });
    const frames = real(await (await openStream(bed.proxy, streamRequest())).rest());
    expect(frames[1]!.data).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
    const deltas0 = frames.filter((f) => f.event === 'content_block_delta' && f.data.index === 0);
    expect(deltas0.map((f) => f.data.delta.type)).toEqual([
      'thinking_delta',
      'thinking_delta',
      'signature_delta',
    ]);
    expect(deltas0[2]!.data.delta.signature.length).toBeGreaterThan(0);
    const textStart = frames.find((f) => f.event === 'content_block_start' && f.data.index === 1);
    expect(textStart?.data.content_block).toEqual({ type: 'text', text: '' });
    expectWellFormed(frames);
  });

  it('item 40: tool call fragments become one tool_use block with input_json_delta', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      const call = (fn: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        sseData({
          choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...extra, function: fn }] } }],
        });
      res.write(call({ name: 'Bash', arguments: '' }, { id: 'call_1', type: 'function' }));
      res.write(call({ arguments: '{"command":' }));
      res.write(call({ arguments: '"ls"}' }));
      res.write(sseData({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
      res.end(sseData('[DONE]'));
    });
    const frames = real(
      await (await openStream(bed.proxy, streamRequest('run it', bashTool))).rest(),
    );
    const start = frames.find((f) => f.event === 'content_block_start')!;
    expect(start.data.content_block).toEqual({
      type: 'tool_use',
      id: 'call_1',
      name: 'Bash',
      input: {},
    });
    expect(JSON.parse(toolInput(frames, start.data.index))).toEqual({ command: 'ls' });
    expect(frames.find((f) => f.event === 'message_delta')!.data.delta.stop_reason).toBe(
      'tool_use',
    );
    expectWellFormed(frames);
  });

  it('item 41: arguments that arrive before the id and name land in the named block', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(
        sseData({
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] } },
          ],
        }),
      );
      res.write(
        sseData({
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, id: 'c', function: { name: 'T' } }] } },
          ],
        }),
      );
      res.write(sseData({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
      res.end(sseData('[DONE]'));
    });
    const tools = { tools: [{ name: 'T', input_schema: { type: 'object', properties: {} } }] };
    const frames = real(await (await openStream(bed.proxy, streamRequest('go', tools))).rest());
    const starts = frames.filter((f) => f.event === 'content_block_start');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.data.content_block).toMatchObject({ type: 'tool_use', id: 'c', name: 'T' });
    expect(JSON.parse(toolInput(frames, starts[0]!.data.index))).toEqual({ a: 1 });
    expectWellFormed(frames);
  });

  it('item 42: interleaved parallel tool calls stay in their own blocks', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      const call = (index: number, part: Record<string, unknown>) =>
        sseData({ choices: [{ index: 0, delta: { tool_calls: [{ index, ...part }] } }] });
      res.write(call(0, { id: 'call_a', function: { name: 'Bash', arguments: '' } }));
      res.write(call(1, { id: 'call_b', function: { name: 'Bash', arguments: '' } }));
      res.write(call(0, { function: { arguments: '{"command":"ls"}' } }));
      res.write(call(1, { function: { arguments: '{"command":"pwd"}' } }));
      res.write(sseData({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
      res.end(sseData('[DONE]'));
    });
    const frames = real(await (await openStream(bed.proxy, streamRequest('two', bashTool))).rest());
    const starts = frames.filter((f) => f.event === 'content_block_start');
    expect(starts.map((f) => f.data.content_block.id)).toEqual(['call_a', 'call_b']);
    expect(JSON.parse(toolInput(frames, starts[0]!.data.index))).toEqual({ command: 'ls' });
    expect(JSON.parse(toolInput(frames, starts[1]!.data.index))).toEqual({ command: 'pwd' });
    expect(frames.filter((f) => f.event === 'content_block_stop')).toHaveLength(2);
    expectWellFormed(frames);
  });

  it('item 47: usage in a separate final chunk lands in the single message_delta', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(sseData(textChunk('ok', 'stop')));
      res.write(
        sseData({
          choices: [],
          usage: {
            prompt_tokens: 100,
            completion_tokens: 5,
            prompt_tokens_details: { cached_tokens: 60 },
          },
        }),
      );
      res.end(sseData('[DONE]'));
    });
    const summary = nextSummary(bed.proxy);
    const frames = real(await (await openStream(bed.proxy, streamRequest())).rest());
    const deltas = frames.filter((f) => f.event === 'message_delta');
    expect(deltas).toHaveLength(1);
    expect(deltas[0]!.data.usage).toMatchObject({
      input_tokens: 40,
      output_tokens: 5,
      cache_read_input_tokens: 60,
    });
    expect(await summary).toMatchObject({ status: 200, inputTokens: 100, outputTokens: 5 });
    expect(bed.proxy.stats()).toMatchObject({ requests: 1, inputTokens: 100, outputTokens: 5 });
  });

  it('item 48: EOF without [DONE] after finish ends normally', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(sseData(textChunk('done', 'stop')));
      res.end();
    });
    const frames = real(await (await openStream(bed.proxy, streamRequest())).rest());
    expect(eventNames(frames).slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('item 48: EOF in the middle of tool arguments ends with an error event', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(
        sseData({
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  { index: 0, id: 'call_1', function: { name: 'Bash', arguments: '{"comm' } },
                ],
              },
            },
          ],
        }),
      );
      res.end();
    });
    const summary = nextSummary(bed.proxy);
    const frames = real(await (await openStream(bed.proxy, streamRequest('x', bashTool))).rest());
    const last = frames.at(-1)!;
    expect(last.event).toBe('error');
    expect(['api_error', 'overloaded_error']).toContain(last.data.error.type);
    expect(eventNames(frames)).not.toContain('message_stop');
    expect((await summary).error).toBe(last.data.error.type);
    expect(bed.proxy.stats().errors).toBe(1);
  });

  it('item 49: an error chunk mid-stream becomes an error event and the stream ends', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(sseData(textChunk('partial')));
      res.write(sseData({ error: { message: 'rate limited', code: 429 } }));
      // Anything after the error must not reach the client.
      res.end(sseData(textChunk('ignored', 'stop')));
    });
    const frames = real(await (await openStream(bed.proxy, streamRequest())).rest());
    const last = frames.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(last.data.error.message).toMatch(/rate limited/);
    expect(eventNames(frames)).not.toContain('message_stop');
  });

  it('item 52: UTF-8 characters split across upstream TCP chunks arrive intact', async () => {
    bed.upstream.setHandler(async (_req, res) => {
      sseHead(res);
      const frame = Buffer.from(sseData(textChunk('北京 🚀 ok', 'stop')), 'utf8');
      const cuts = [frame.indexOf(Buffer.from('北')) + 1, frame.indexOf(Buffer.from('🚀')) + 2];
      res.write(frame.subarray(0, cuts[0]));
      await new Promise((r) => setImmediate(r));
      res.write(frame.subarray(cuts[0], cuts[1]));
      await new Promise((r) => setImmediate(r));
      res.write(frame.subarray(cuts[1]));
      res.end(sseData('[DONE]'));
    });
    const frames = real(await (await openStream(bed.proxy, streamRequest())).rest());
    const text = frames
      .filter((f) => f.event === 'content_block_delta')
      .map((f) => f.data.delta.text)
      .join('');
    expect(text).toBe('北京 🚀 ok');
    expect(text).not.toContain('\uFFFD');
  });

  it('item 53: a 5 MB SSE line (huge tool argument) is forwarded intact', async () => {
    const content = 'z'.repeat(5 * 1024 * 1024);
    const args = JSON.stringify({ command: content });
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(
        sseData({
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  { index: 0, id: 'call_big', function: { name: 'Bash', arguments: args } },
                ],
              },
            },
          ],
        }),
      );
      res.write(sseData({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
      res.end(sseData('[DONE]'));
    });
    const frames = real(await (await openStream(bed.proxy, streamRequest('big', bashTool))).rest());
    const start = frames.find((f) => f.event === 'content_block_start')!;
    expect(JSON.parse(toolInput(frames, start.data.index)).command).toHaveLength(content.length);
  });

  it('item 54: CRLF framing and comments are parsed; comments are not forwarded', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(': keep-alive\r\n\r\n');
      res.write(`data: ${JSON.stringify(textChunk('crlf'))}\r\n\r\n`);
      res.write(': still here\r\n\r\n');
      res.write(`data: ${JSON.stringify(textChunk('', 'stop'))}\r\n\r\n`);
      res.end('data: [DONE]\r\n\r\n');
    });
    const frames = await (await openStream(bed.proxy, streamRequest())).rest();
    const texts = frames
      .filter((f) => f.event === 'content_block_delta')
      .map((f) => f.data.delta.text);
    expect(texts).toEqual(['crlf']);
    expect(frames.every((f) => f.event !== undefined)).toBe(true);
    expect(eventNames(real(frames)).at(-1)).toBe('message_stop');
  });

  it('item 58: a client that goes away aborts the upstream request', async () => {
    const never = gate();
    bed.upstream.setHandler(async (_req, res) => {
      sseHead(res);
      res.write(sseData(textChunk('first')));
      await never.wait;
    });
    const aborted = bed.upstream.nextAbort();
    const stream = await openStream(bed.proxy, streamRequest());
    await stream.until((f) => f.event === 'content_block_delta');
    stream.abort();
    await aborted;
    expect(bed.upstream.aborted).toHaveLength(1);
    never.open();
  });

  it('item 58: a client that goes away before the commit point aborts the upstream too', async () => {
    const never = gate();
    bed.upstream.setHandler(async () => {
      await never.wait; // no headers, no bytes: the proxy is still before its commit point
    });
    const aborted = bed.upstream.nextAbort();
    const summary = nextSummary(bed.proxy);
    const controller = new AbortController();
    const pending = request(`${bed.proxy.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': SECRET, 'content-type': 'application/json' },
      body: JSON.stringify(streamRequest()),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    while (bed.upstream.received.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await pending;
    await aborted;
    expect((await summary).status).toBe(499);
    never.open();
  });

  it('a socket cut after the commit point ends with an error event, never a hang', async () => {
    bed.upstream.setHandler((_req, res) => {
      sseHead(res);
      res.write(sseData(textChunk('half')));
      setImmediate(() => res.socket?.destroy());
    });
    const frames = real(await (await openStream(bed.proxy, streamRequest())).rest());
    expect(frames.at(-1)!.event).toBe('error');
    expect(bed.upstream.received).toHaveLength(1);
  });
});

const bashTool = {
  tools: [
    {
      name: 'Bash',
      description: 'Run a shell command',
      input_schema: {
        type: 'object',
        properties: { command: { type: 'string' } },
        required: ['command'],
      },
    },
  ],
};

function streamTextTail(res: import('node:http').ServerResponse): void {
  res.write(sseData(textChunk('token', 'stop')));
  res.write(sseData({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } }));
  res.end(sseData('[DONE]'));
}
