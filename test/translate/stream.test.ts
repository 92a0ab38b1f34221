import { describe, expect, it } from 'vitest';
import { createSseParser } from '../../src/proxy/sse/parser.js';
import {
  createStreamTranslator,
  encodeSse,
  type SseEvent,
  type TranslateContext,
  translateRequest,
  UpstreamError,
} from '../../src/proxy/translate/index.js';
import { assemble, chunk, ctxFor } from './helpers.js';

/** Runs chunks through a translator: start, push each, then finish (unless told not to). */
function run(chunks: unknown[], options: { ctx?: TranslateContext; finish?: boolean } = {}) {
  const translator = createStreamTranslator(options.ctx ?? ctxFor());
  const events: SseEvent[] = [...translator.start()];
  for (const c of chunks) events.push(...translator.push(c));
  if (options.finish !== false) events.push(...translator.finish());
  return { events, names: events.map((e) => e.type), translator };
}

function parseInputs(events: SseEvent[]) {
  return assemble(events)
    .blocks.filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id, name: b.name, input: JSON.parse(b.json || '{}') }));
}

describe('createStreamTranslator (PROTOCOL §11 streaming)', () => {
  it('#35 text stream: exact event sequence, no [DONE] downstream', () => {
    const { events, names } = run([
      chunk.text('Hel'),
      chunk.text('lo'),
      chunk.finish('stop'),
      chunk.usage({ prompt_tokens: 20, completion_tokens: 2 }),
    ]);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[1]).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    expect(events[2]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Hel' },
    });
    const delta = events[5];
    expect(delta).toMatchObject({
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 2, input_tokens: 20 },
    });
    for (const event of events) {
      const frame = encodeSse(event);
      expect(frame).toBe(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      expect(frame.split('\n')).toHaveLength(4);
      expect(frame).not.toContain('[DONE]');
    }
  });

  it('#38 reasoning then content: signed thinking block, then text', () => {
    const { events } = run([
      chunk.reasoning('a'),
      chunk.reasoning('b'),
      chunk.text('x'),
      chunk.finish('stop'),
    ]);
    expect(events.slice(1, 9)).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'a' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'b' } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: expect.stringMatching(/^sig_.+/) },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'x' } },
      { type: 'content_block_stop', index: 1 },
    ]);
    assemble(events);
  });

  it('#38 `reasoning` and `reasoning_details` spellings are read too', () => {
    const { events } = run([
      { choices: [{ delta: { reasoning: 'r1' } }] },
      { choices: [{ delta: { reasoning_details: [{ type: 'reasoning.text', text: 'r2' }] } }] },
      chunk.finish('stop'),
    ]);
    expect(assemble(events).blocks).toMatchObject([{ type: 'thinking', text: 'r1r2' }]);
  });

  it('#39 reasoning after text opens a new thinking block', () => {
    const { events } = run([
      chunk.reasoning('think'),
      chunk.text('say'),
      chunk.reasoning('more'),
      chunk.finish('stop'),
    ]);
    const message = assemble(events);
    expect(message.blocks.map((b) => [b.type, b.text])).toEqual([
      ['thinking', 'think'],
      ['text', 'say'],
      ['thinking', 'more'],
    ]);
    expect(events).toContainEqual({
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
  });

  it('#40 one tool call in fragments', () => {
    const { events } = run([
      chunk.tool({
        index: 0,
        id: 'call_1',
        type: 'function',
        function: { name: 'Bash', arguments: '' },
      }),
      chunk.tool({ index: 0, function: { arguments: '{"command":' } }),
      chunk.tool({ index: 0, function: { arguments: '"ls"}' } }),
      chunk.finish('tool_calls'),
    ]);
    expect(events[1]).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 'call_1', name: 'Bash', input: {} },
    });
    const message = assemble(events);
    expect(message.blocks[0]?.json).toBe('{"command":"ls"}');
    expect(message.stopReason).toBe('tool_use');
  });

  it('#41 arguments before id and name', () => {
    const { events } = run([
      chunk.tool({ index: 0, function: { arguments: '{"a":1}' } }),
      chunk.tool({ index: 0, id: 'c', function: { name: 'T' } }),
      chunk.finish('tool_calls'),
    ]);
    expect(parseInputs(events)).toEqual([{ id: 'c', name: 'T', input: { a: 1 } }]);
    expect(JSON.stringify(events)).not.toContain('tool_0');
  });

  it('#42 two interleaved parallel calls come out one after the other', () => {
    const { events } = run([
      chunk.tool({ index: 0, id: 'c0', function: { name: 'Read', arguments: '' } }),
      chunk.tool({ index: 1, id: 'c1', function: { name: 'Grep', arguments: '' } }),
      chunk.tool({ index: 0, function: { arguments: '{"path":' } }),
      chunk.tool({ index: 1, function: { arguments: '{"pattern":' } }),
      chunk.tool({ index: 0, function: { arguments: '"a.ts"}' } }),
      chunk.tool({ index: 1, function: { arguments: '"foo"}' } }),
      chunk.finish('tool_calls'),
    ]);
    expect(parseInputs(events)).toEqual([
      { id: 'c0', name: 'Read', input: { path: 'a.ts' } },
      { id: 'c1', name: 'Grep', input: { pattern: 'foo' } },
    ]);
    const starts = events.filter((e) => e.type === 'content_block_start');
    const stops = events.filter((e) => e.type === 'content_block_stop');
    expect(starts).toHaveLength(2);
    expect(stops).toHaveLength(2);
  });

  it('#42 several calls in one chunk, without index', () => {
    const { events } = run([
      {
        choices: [
          {
            delta: {
              tool_calls: [
                { id: 'a', function: { name: 'A', arguments: '{"x":1}' } },
                { id: 'b', function: { name: 'B', arguments: '{"y":2}' } },
              ],
            },
          },
        ],
      },
      chunk.finish('tool_calls'),
    ]);
    expect(parseInputs(events)).toEqual([
      { id: 'a', name: 'A', input: { x: 1 } },
      { id: 'b', name: 'B', input: { y: 2 } },
    ]);
  });

  it('#42 sequential calls that all reuse index 0 are still separate calls', () => {
    const { events } = run([
      chunk.tool({ index: 0, id: 'a', function: { name: 'A', arguments: '{"x":1}' } }),
      chunk.tool({ index: 0, id: 'b', function: { name: 'B', arguments: '{"y":2}' } }),
      chunk.finish('tool_calls'),
    ]);
    expect(parseInputs(events).map((t) => t.input)).toEqual([{ x: 1 }, { y: 2 }]);
  });

  it('#43 a call with no arguments has input {} and finish stop still means tool_use', () => {
    const { events } = run([
      chunk.tool({ index: 0, id: 'c', function: { name: 'Now' } }),
      chunk.finish('stop'),
    ]);
    const message = assemble(events);
    expect(message.blocks[0]?.json).toBe('{}');
    expect(message.stopReason).toBe('tool_use');
  });

  it('#43 single-quoted streamed arguments are repaired', () => {
    const { events } = run([
      chunk.tool({ index: 0, id: 'c', function: { name: 'Read', arguments: "{'path': " } }),
      chunk.tool({ index: 0, function: { arguments: "'a.ts',}" } }),
      chunk.finish('tool_calls'),
    ]);
    expect(parseInputs(events)[0]?.input).toEqual({ path: 'a.ts' });
  });

  it('#44 finish tool_calls without any call → end_turn', () => {
    const { events } = run([chunk.text('nothing to do'), chunk.finish('tool_calls')]);
    expect(assemble(events).stopReason).toBe('end_turn');
  });

  it('#45 text, tool, text: each in its own block, nothing dropped', () => {
    const { events } = run([
      chunk.text('Let me look.'),
      chunk.tool({ index: 0, id: 'c', function: { name: 'Read', arguments: '{"path":"a"}' } }),
      chunk.text('Done looking.'),
      chunk.finish('tool_calls'),
    ]);
    const message = assemble(events);
    expect(message.blocks.map((b) => b.type)).toEqual(['text', 'tool_use', 'text']);
    expect(message.blocks[2]?.text).toBe('Done looking.');
  });

  it('#45 text arriving while a call is still incomplete waits for it', () => {
    const { events } = run([
      chunk.tool({ index: 0, id: 'c', function: { name: 'Read', arguments: '{"path":' } }),
      chunk.text('meanwhile'),
      chunk.tool({ index: 0, function: { arguments: '"a"}' } }),
      chunk.text(' more'),
      chunk.finish('tool_calls'),
    ]);
    const message = assemble(events);
    expect(message.blocks.map((b) => b.type)).toEqual(['tool_use', 'text']);
    expect(message.blocks[0]?.json).toBe('{"path":"a"}');
    expect(message.blocks[1]?.text).toBe('meanwhile more');
  });

  it('#46 no content at all: no empty text block', () => {
    const { names, events } = run([
      chunk.text(''),
      { choices: [{ delta: { content: null } }] },
      chunk.finish('stop'),
    ]);
    expect(names).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(assemble(events).stopReason).toBe('end_turn');
  });

  it('#47 usage after the finish chunk lands in the single message_delta', () => {
    const usage = {
      prompt_tokens: 50,
      completion_tokens: 7,
      prompt_tokens_details: { cached_tokens: 20 },
    };
    const late = run([chunk.text('x'), chunk.finish('stop'), chunk.usage(usage)]);
    const same = run([chunk.text('x'), chunk.finish('stop', usage)]);
    for (const { events, names } of [late, same]) {
      expect(names.filter((n) => n === 'message_delta')).toHaveLength(1);
      expect(assemble(events).usage).toEqual({
        input_tokens: 30,
        output_tokens: 7,
        cache_read_input_tokens: 20,
        cache_creation_input_tokens: 0,
      });
    }
  });

  it('#48 EOF after finish without [DONE] closes normally', () => {
    const { names } = run([chunk.text('x'), chunk.finish('stop')]);
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('#48 EOF in the middle of tool arguments is an error, not message_stop', () => {
    const { events, names } = run([
      chunk.text('running'),
      chunk.tool({ index: 0, id: 'c', function: { name: 'Bash', arguments: '{"command":"rm -' } }),
    ]);
    expect(names).not.toContain('message_stop');
    expect(names).not.toContain('message_delta');
    const message = assemble(events);
    expect(message.error?.type).toBe('api_error');
    expect(message.error?.message).toMatch(/middle of a tool call/);
  });

  it('#48 EOF right after a call was announced, before its arguments, is an error too', () => {
    const { events } = run([
      chunk.tool({ index: 0, id: 'c', function: { name: 'Bash', arguments: '' } }),
    ]);
    expect(assemble(events).error?.type).toBe('api_error');
  });

  it('#48 EOF without finish but with complete content closes normally', () => {
    const { events } = run([
      chunk.tool({ index: 0, id: 'c', function: { name: 'Bash', arguments: '{"command":"ls"}' } }),
    ]);
    expect(assemble(events).stopReason).toBe('tool_use');
  });

  it('#48 EOF before any answer is an error', () => {
    const { events } = run([]);
    expect(assemble(events).error?.type).toBe('api_error');
  });

  it('#49 a mid-stream error chunk ends the stream with the mapped error', () => {
    const { events, translator } = run(
      [chunk.text('partial'), { error: { message: 'rate limited', code: 429 } }],
      { finish: false },
    );
    const last = events.at(-1);
    expect(last).toEqual({
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: 'iFlow is rate limiting this account: rate limited.',
      },
    });
    expect(translator.push(chunk.text('more'))).toEqual([]);
    expect(translator.finish()).toEqual([]);
    assemble(events);
  });

  it('#49 iFlow finish_reason network_error and envelopes mid-stream', () => {
    const network = run([chunk.text('a'), chunk.finish('network_error')], { finish: false });
    expect(assemble(network.events).error?.type).toBe('api_error');
    const envelope = run([chunk.text('a'), { status: '449', msg: 'busy' }], { finish: false });
    expect(assemble(envelope.events).error?.type).toBe('rate_limit_error');
    const odd = run([chunk.finish('insufficient_system_resource')], { finish: false });
    expect(assemble(odd.events).error?.type).toBe('overloaded_error');
  });

  it('#49 fail() after the commit point: one error event, then nothing', () => {
    const translator = createStreamTranslator(ctxFor());
    const events = [...translator.start(), ...translator.push(chunk.text('x'))];
    events.push(...translator.fail(new UpstreamError('timeout', 'The upstream stalled.')));
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: { type: 'timeout_error', message: 'The upstream stalled.' },
    });
    expect(translator.fail(new UpstreamError('server', 'again'))).toEqual([]);
    expect(translator.finish()).toEqual([]);
    assemble(events);
  });

  it('#52 split multi-byte characters survive parser + translator', () => {
    const wire = new TextEncoder().encode(
      `data: ${JSON.stringify(chunk.text('北京 🎉'))}\n\n` +
        `data: ${JSON.stringify(chunk.tool({ index: 0, id: 'c', function: { name: 'W', arguments: '{"t":"日本"}' } }))}\n\n` +
        `data: ${JSON.stringify(chunk.finish('tool_calls'))}\n\ndata: [DONE]\n\n`,
    );
    for (let cut = 1; cut < wire.length; cut += 1) {
      const parser = createSseParser();
      const messages = [
        ...parser.feed(wire.subarray(0, cut)),
        ...parser.feed(wire.subarray(cut)),
        ...parser.end(),
      ];
      const translator = createStreamTranslator(ctxFor());
      const events = [...translator.start()];
      for (const m of messages) {
        if (m.done) events.push(...translator.finish());
        else events.push(...translator.push(JSON.parse(m.data)));
      }
      const message = assemble(events);
      expect(message.blocks[0]?.text).toBe('北京 🎉');
      expect(JSON.parse(message.blocks[1]?.json ?? '')).toEqual({ t: '日本' });
      expect(JSON.stringify(events)).not.toContain('\uFFFD');
    }
  });

  it('#55 content and finish in one chunk: content first', () => {
    const { names, events } = run([
      { choices: [{ delta: { content: 'all at once' }, finish_reason: 'stop' }] },
    ]);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(assemble(events).blocks[0]?.text).toBe('all at once');
  });

  it('#56 message_start carries the estimate; message_delta the real usage', () => {
    const { events } = run(
      [
        chunk.text('x'),
        chunk.finish('stop', {
          prompt_tokens: 900,
          completion_tokens: 3,
          prompt_tokens_details: { cached_tokens: 100 },
        }),
      ],
      { ctx: ctxFor({ estimatedInputTokens: 777 }) },
    );
    const message = assemble(events);
    expect(message.startUsage.input_tokens).toBe(777);
    expect(message.usage).toMatchObject({
      input_tokens: 800,
      output_tokens: 3,
      cache_read_input_tokens: 100,
    });
    const noEstimate = run([chunk.text('x'), chunk.finish('stop')], {
      ctx: ctxFor({ estimatedInputTokens: undefined }),
    });
    expect(assemble(noEstimate.events).startUsage.input_tokens).toBeGreaterThan(0);
  });

  it('#57 message_start.model is the client model, not the upstream id', () => {
    const { events } = run([chunk.text('x'), chunk.finish('stop')], {
      ctx: ctxFor({ clientModel: 'claude-opus-5-5', upstreamModel: 'glm-4.6' }),
    });
    expect(assemble(events).model).toBe('claude-opus-5-5');
  });

  it('#17 streamed tool names are mapped back to the client names', () => {
    const ctx = ctxFor();
    const long = `mcp__${'x'.repeat(70)}`;
    const out = translateRequest(
      { model: 'm', messages: [], tools: [{ name: long, input_schema: {} }] },
      ctx,
    );
    const short = out.tools?.[0]?.function.name ?? '';
    const { events } = run(
      [
        chunk.tool({ index: 0, id: 'c', function: { name: short, arguments: '{}' } }),
        chunk.finish('tool_calls'),
      ],
      { ctx },
    );
    expect(parseInputs(events)[0]?.name).toBe(long);
  });

  it('#59 exactly one start/delta/stop; start() twice and push before start are safe', () => {
    const translator = createStreamTranslator(ctxFor());
    const events = [
      ...translator.push(chunk.text('x')),
      ...translator.start(),
      ...translator.start(),
    ];
    events.push(
      ...translator.push(chunk.finish('stop')),
      ...translator.finish(),
      ...translator.finish(),
    );
    events.push(...translator.push(chunk.text('late')));
    const names = events.map((e) => e.type);
    for (const name of ['message_start', 'message_delta', 'message_stop']) {
      expect(names.filter((n) => n === name)).toHaveLength(1);
    }
    expect(names.at(-1)).toBe('message_stop');
    assemble(events);
  });

  it('ping() is a ping', () => {
    expect(createStreamTranslator(ctxFor()).ping()).toEqual({ type: 'ping' });
    expect(encodeSse({ type: 'ping' })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });
});
