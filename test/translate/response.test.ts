import { describe, expect, it } from 'vitest';
import { translateResponse, UpstreamError } from '../../src/proxy/translate/index.js';
import { ctxFor } from './helpers.js';

function completion(
  message: Record<string, unknown>,
  finish_reason: string | null,
  usage?: unknown,
) {
  return { id: 'chatcmpl-1', choices: [{ index: 0, message, finish_reason }], usage };
}

function toolCall(id: string, name: string, args: unknown) {
  return { id, type: 'function', function: { name, arguments: args } };
}

describe('translateResponse (PROTOCOL §11 non-streaming)', () => {
  it('#27 plain text answer', () => {
    const message = translateResponse(
      completion({ role: 'assistant', content: 'Hi' }, 'stop', {
        prompt_tokens: 10,
        completion_tokens: 2,
      }),
      ctxFor(),
    );
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 10,
        output_tokens: 2,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(message.id).toMatch(/^msg_/);
  });

  it('#28 content order thinking → text → tool_use, thinking signed', () => {
    const message = translateResponse(
      completion(
        {
          reasoning_content: 'R',
          content: 'A',
          tool_calls: [toolCall('call_1', 'Bash', '{"command":"ls"}')],
        },
        'tool_calls',
      ),
      ctxFor(),
    );
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    const [thinking, text, tool] = message.content;
    expect(thinking).toMatchObject({ type: 'thinking', thinking: 'R' });
    expect(thinking?.type === 'thinking' && thinking.signature.length > 0).toBe(true);
    expect(text).toEqual({ type: 'text', text: 'A' });
    expect(tool).toEqual({
      type: 'tool_use',
      id: 'call_1',
      name: 'Bash',
      input: { command: 'ls' },
    });
    expect(message.stop_reason).toBe('tool_use');
  });

  it.each([
    ["{'path': 'a'}", { path: 'a' }],
    ['{"path": "a",}', { path: 'a' }],
    ["{'path': 'it\\'s \"x\"', 'n': [1, 2,],}", { path: 'it\'s "x"', n: [1, 2] }],
    ['{"ok": True, "none": None}', { ok: true, none: null }],
    ['', {}],
    [null, {}],
    ['[1,2]', {}],
    ['"text"', {}],
    ['{not json at all', {}],
    [{ already: 'object' }, { already: 'object' }],
  ])('#29 arguments %j → input %j', (args, input) => {
    const message = translateResponse(
      completion({ content: '', tool_calls: [toolCall('c', 'Read', args)] }, 'tool_calls'),
      ctxFor(),
    );
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c', name: 'Read', input }]);
  });

  it('#30 finish stop with tool calls → tool_use', () => {
    const message = translateResponse(
      completion({ content: null, tool_calls: [toolCall('c', 'Bash', '{}')] }, 'stop'),
      ctxFor(),
    );
    expect(message.stop_reason).toBe('tool_use');
  });

  it('#31 length → max_tokens, content_filter → refusal, tool_calls without tools → end_turn', () => {
    const stop = (reason: string) =>
      translateResponse(completion({ content: 'x' }, reason), ctxFor()).stop_reason;
    expect(stop('length')).toBe('max_tokens');
    expect(stop('content_filter')).toBe('refusal');
    expect(stop('tool_calls')).toBe('end_turn');
    expect(translateResponse(completion({ content: 'x' }, null), ctxFor()).stop_reason).toBe(
      'end_turn',
    );
  });

  it('#32 cached tokens are reported as cache reads, not input', () => {
    const message = translateResponse(
      completion({ content: 'x' }, 'stop', {
        prompt_tokens: 100,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 60 },
      }),
      ctxFor(),
    );
    expect(message.usage).toEqual({
      input_tokens: 40,
      output_tokens: 5,
      cache_read_input_tokens: 60,
      cache_creation_input_tokens: 0,
    });
  });

  it('#32 no usage at all: estimates, never a missing usage', () => {
    const message = translateResponse(completion({ content: 'abcdefgh' }, 'stop'), ctxFor());
    expect(message.usage.input_tokens).toBe(123);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('#33 tool ids are sanitised; empty ids generated', () => {
    const message = translateResponse(
      completion(
        {
          content: '',
          tool_calls: [toolCall('call.abc:1', 'A', '{}'), toolCall('', 'B', '{}')],
        },
        'tool_calls',
      ),
      ctxFor(),
    );
    const ids = message.content.map((b) => (b.type === 'tool_use' ? b.id : ''));
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(ids[1]).toMatch(/^toolu_/);
  });

  it('#34 error bodies and missing choices throw UpstreamError, never an empty message', () => {
    const ctx = ctxFor();
    const cases: unknown[] = [
      { error: { message: 'boom', type: 'server_error' } },
      { id: 'x', choices: [] },
      { id: 'x' },
      { status: '449', msg: 'rate limited', body: null },
      'not an object',
    ];
    for (const body of cases) {
      let thrown: unknown;
      try {
        translateResponse(body, ctx);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(body)).toBeInstanceOf(UpstreamError);
      expect((thrown as UpstreamError).status).toBeGreaterThanOrEqual(400);
    }
    expect(() => translateResponse({ choices: [] }, ctx)).toThrow(/no choices/);
    try {
      translateResponse({ error: { message: 'boom' } }, ctx);
    } catch (error) {
      expect(error).toMatchObject({ status: 500, anthropicType: 'api_error' });
    }
  });

  it('#34 finish_reason network_error is an error, not an answer', () => {
    expect(() => translateResponse(completion({ content: '' }, 'network_error'), ctxFor())).toThrow(
      UpstreamError,
    );
  });
});
