import { describe, expect, it } from 'vitest';
import {
  type AnthropicRequest,
  translateRequest,
  translateResponse,
} from '../../src/proxy/translate/index.js';
import { ctxFor } from './helpers.js';

function req(fields: Partial<AnthropicRequest>): AnthropicRequest {
  return { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [], ...fields };
}

const SCHEMA = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] };

describe('translateRequest (PROTOCOL §11 request translation)', () => {
  it('#8 system string leads, user text follows', () => {
    const out = translateRequest(
      req({ system: 'S', messages: [{ role: 'user', content: 'hi' }] }),
      ctxFor(),
    );
    expect(out.messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('#9 system blocks: attribution block dropped, cache_control nowhere', () => {
    const body = req({
      system: [
        {
          type: 'text',
          text: 'x-anthropic-billing-header: cc_version=2.1.332.abc; cc_entrypoint=cli',
        },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: '   ' },
        { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }],
        },
      ],
    });
    const out = translateRequest(body, ctxFor({ stripAttribution: true }));
    expect(out.messages[0]).toEqual({
      role: 'system',
      content: 'You are Claude Code.\n\nBe brief.',
    });
    expect(JSON.stringify(out)).not.toContain('cache_control');
    expect(JSON.stringify(out)).not.toContain('x-anthropic-billing-header');

    const kept = translateRequest(body, ctxFor({ stripAttribution: false }));
    expect((kept.messages[0] as { content: string }).content).toMatch(
      /^x-anthropic-billing-header: /,
    );
  });

  it('#10 base64 image becomes an image_url data URL; url images pass through', () => {
    const out = translateRequest(
      req({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this?' },
              {
                type: 'image',
                source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
              },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            ],
          },
        ],
      }),
      ctxFor({ upstreamModel: 'qwen3-vl-plus' }),
    );
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('#11 tool results come first, in order, then the remaining user text', () => {
    const out = translateRequest(
      req({
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'a', name: 'Read', input: { path: 'x' } },
              { type: 'tool_use', id: 'b', name: 'Read', input: { path: 'y' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'next' },
              { type: 'tool_result', tool_use_id: 'a', content: 'r1' },
              {
                type: 'tool_result',
                tool_use_id: 'b',
                content: [
                  { type: 'text', text: 'r2a' },
                  { type: 'text', text: 'r2b' },
                ],
              },
            ],
          },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: 'r1' },
      { role: 'tool', tool_call_id: 'b', content: 'r2a\nr2b' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('#11 a result answering no call is kept as user text, a missing result is filled in', () => {
    const out = translateRequest(
      req({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'Bash', input: {} }] },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'zzz', content: 'stray' }],
          },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages[1]).toMatchObject({ role: 'tool', tool_call_id: 'a' });
    expect((out.messages[1] as { content: string }).content).toMatch(/^Error: /);
    expect(out.messages[2]).toEqual({
      role: 'user',
      content: '[Result of tool call zzz]\nstray',
    });
  });

  it('#12 is_error results are marked as errors', () => {
    const out = translateRequest(
      req({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Bash', input: {} }] },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 't', content: 'boom', is_error: true }],
          },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages[1]).toEqual({ role: 'tool', tool_call_id: 't', content: 'Error: boom' });
  });

  it('#13 assistant text and tool_use become content and tool_calls', () => {
    const out = translateRequest(
      req({
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'ok' },
              { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
            ],
          },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages[0]).toEqual({
      role: 'assistant',
      content: 'ok',
      tool_calls: [
        {
          id: 'toolu_1',
          type: 'function',
          function: { name: 'Bash', arguments: '{"command":"ls"}' },
        },
      ],
    });
  });

  it('#14 assistant with only tool_use has content ""', () => {
    const out = translateRequest(
      req({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Bash', input: {} }] },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages[0]).toHaveProperty('content', '');
    expect(out.messages[0]).toHaveProperty('tool_calls');
  });

  it('#15 whitespace-only text dropped; an emptied message does not break adjacency', () => {
    const out = translateRequest(
      req({
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
      }),
      ctxFor(),
    );
    expect(out.messages).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 't', type: 'function', function: { name: 'Bash', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't', content: 'done' },
      { role: 'user', content: 'thanks' },
    ]);
  });

  it('#16 tools become functions; an object schema without properties gets {}', () => {
    const out = translateRequest(
      req({
        messages: [{ role: 'user', content: 'hi' }],
        tools: [
          {
            name: 'Read',
            description: 'd',
            input_schema: SCHEMA,
            cache_control: { type: 'ephemeral' },
          },
          { name: 'Ping', input_schema: { type: 'object' } },
          {
            name: 'DeferredToolPlaceholder',
            description: 'later',
            input_schema: {
              type: 'object',
              properties: {
                opts: { type: 'object' },
                list: { type: 'array', items: { type: 'object' } },
              },
            },
            defer_loading: true,
          },
        ],
      }),
      ctxFor(),
    );
    expect(out.tools).toEqual([
      { type: 'function', function: { name: 'Read', description: 'd', parameters: SCHEMA } },
      {
        type: 'function',
        function: { name: 'Ping', description: '', parameters: { type: 'object', properties: {} } },
      },
      {
        type: 'function',
        function: {
          name: 'DeferredToolPlaceholder',
          description: 'later',
          parameters: {
            type: 'object',
            properties: {
              opts: { type: 'object', properties: {} },
              list: { type: 'array', items: { type: 'object', properties: {} } },
            },
          },
        },
      },
    ]);
    expect(JSON.stringify(out)).not.toContain('defer_loading');
  });

  it('#17 long or odd tool names are shortened and restored in responses', () => {
    const long = `mcp__${'very_long_server_name_'.repeat(3)}__do_thin`;
    expect(long.length).toBe(80);
    const dotted = 'mcp.server:tool';
    const ctx = ctxFor();
    const out = translateRequest(
      req({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: long, input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
        ],
        tools: [
          { name: long, input_schema: { type: 'object', properties: {} } },
          { name: dotted, input_schema: { type: 'object', properties: {} } },
        ],
        tool_choice: { type: 'tool', name: long },
      }),
      ctx,
    );
    const names = (out.tools ?? []).map((tool) => tool.function.name);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(names[0]).not.toBe(names[1]);
    expect(out.tool_choice).toEqual({ type: 'function', function: { name: names[0] } });
    const history = out.messages[0] as { tool_calls: Array<{ function: { name: string } }> };
    expect(history.tool_calls[0]?.function.name).toBe(names[0]);

    // Deterministic: the same name maps the same way in another request.
    const again = translateRequest(req({ tools: [{ name: long, input_schema: {} }] }), ctxFor());
    expect(again.tools?.[0]?.function.name).toBe(names[0]);

    const message = translateResponse(
      {
        choices: [
          {
            message: {
              content: null,
              tool_calls: [
                { id: 'c1', type: 'function', function: { name: names[0], arguments: '{}' } },
                { id: 'c2', type: 'function', function: { name: names[1], arguments: '{}' } },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
      },
      ctx,
    );
    expect(message.content.map((b) => (b.type === 'tool_use' ? b.name : ''))).toEqual([
      long,
      dotted,
    ]);
  });

  it('#17 at most provider.limits.maxTools tools, keeping the chosen one', () => {
    const ctx = ctxFor();
    ctx.provider = { ...ctx.provider, limits: { maxTools: 3, toolNameMaxLength: 64 } };
    const tools = Array.from({ length: 6 }, (_, i) => ({ name: `T${i}`, input_schema: {} }));
    const out = translateRequest(req({ tools, tool_choice: { type: 'tool', name: 'T5' } }), ctx);
    expect(out.tools?.map((t) => t.function.name)).toEqual(['T0', 'T1', 'T5']);
  });

  it('#18 server tools with a versioned type are not sent', () => {
    const out = translateRequest(
      req({
        tools: [
          { type: 'web_search_20250305', name: 'web_search' },
          { type: 'bash_20250124', name: 'bash' },
          { name: 'Read', input_schema: SCHEMA, type: 'custom' },
        ],
      }),
      ctxFor(),
    );
    expect(out.tools?.map((t) => t.function.name)).toEqual(['Read']);
  });

  it('#19 empty tools: neither tools nor tool_choice', () => {
    const out = translateRequest(
      req({ tools: [], tool_choice: { type: 'auto', disable_parallel_tool_use: true } }),
      ctxFor(),
    );
    expect(out).not.toHaveProperty('tools');
    expect(out).not.toHaveProperty('tool_choice');
    expect(out).not.toHaveProperty('parallel_tool_calls');
    const onlyServer = translateRequest(
      req({
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        tool_choice: { type: 'any' },
      }),
      ctxFor(),
    );
    expect(onlyServer).not.toHaveProperty('tool_choice');
  });

  it('#20 tool_choice mapping and disable_parallel_tool_use', () => {
    const tools = [{ name: 'X', input_schema: SCHEMA }];
    const choice = (tool_choice: AnthropicRequest['tool_choice']) =>
      translateRequest(req({ tools, tool_choice }), ctxFor());
    expect(choice({ type: 'auto' }).tool_choice).toBe('auto');
    expect(choice({ type: 'any' }).tool_choice).toBe('required');
    expect(choice({ type: 'none' }).tool_choice).toBe('none');
    expect(choice({ type: 'tool', name: 'X' }).tool_choice).toEqual({
      type: 'function',
      function: { name: 'X' },
    });
    expect(choice({ type: 'auto', disable_parallel_tool_use: true }).parallel_tool_calls).toBe(
      false,
    );
    expect(choice({ type: 'auto' })).not.toHaveProperty('parallel_tool_calls');
  });

  it('#21 stop_sequences → stop; stream → stream + include_usage', () => {
    const out = translateRequest(req({ stop_sequences: ['END'], stream: true }), ctxFor());
    expect(out.stop).toEqual(['END']);
    expect(out.stream).toBe(true);
    expect(out.stream_options).toEqual({ include_usage: true });
    const plain = translateRequest(req({ stream: false }), ctxFor());
    expect(plain).not.toHaveProperty('stream_options');
    expect(plain).not.toHaveProperty('stop');
  });

  it('#22 thinking → chat_template_kwargs.enable_thinking on models with that knob', () => {
    const glm = ctxFor({ upstreamModel: 'glm-4.6' });
    const knob = (thinking: AnthropicRequest['thinking']) =>
      translateRequest(req({ thinking }), glm).chat_template_kwargs;
    expect(knob({ type: 'enabled', budget_tokens: 16000 })).toEqual({ enable_thinking: true });
    expect(knob({ type: 'disabled' })).toEqual({ enable_thinking: false });
    expect(knob({ type: 'adaptive' })).toEqual({ enable_thinking: true });
    expect(translateRequest(req({}), glm)).not.toHaveProperty('chat_template_kwargs');

    const deepseek = ctxFor({ upstreamModel: 'deepseek-v3.1' });
    expect(
      translateRequest(req({ thinking: { type: 'enabled', budget_tokens: 2000 } }), deepseek)
        .chat_template_kwargs,
    ).toEqual({ enable_thinking: true });

    const qwen = translateRequest(
      req({ thinking: { type: 'enabled', budget_tokens: 2000 } }),
      ctxFor(),
    );
    expect(qwen).not.toHaveProperty('chat_template_kwargs');
  });

  it('#23 reasoning history only for models that want it', () => {
    const body = req({
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'T', signature: 'sig' },
            { type: 'redacted_thinking', data: 'xx' },
            { type: 'tool_use', id: 't', name: 'Bash', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
      ],
    });
    const glm = translateRequest(body, ctxFor({ upstreamModel: 'glm-4.6' }));
    expect(glm.messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'T' });
    const qwen = translateRequest(body, ctxFor());
    expect(qwen.messages[1]).not.toHaveProperty('reasoning_content');
    expect(JSON.stringify(qwen)).not.toContain('redacted');
  });

  it('#24 a mid-conversation system message is kept, as user text', () => {
    const env = 'Primary working directory: /home/u/project\nPlatform: linux';
    const out = translateRequest(
      req({
        system: 'S',
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'system',
            content: [{ type: 'text', text: env, cache_control: { type: 'ephemeral' } }],
          },
          { role: 'assistant', content: 'hello' },
          { role: 'system', content: 'later reminder' },
          { role: 'user', content: 'bye' },
        ],
      }),
      ctxFor(),
    );
    const roles = out.messages.map((m) => m.role);
    expect(roles).toEqual(['system', 'user', 'user', 'assistant', 'user', 'user']);
    expect(out.messages.slice(1).some((m) => m.role === 'system')).toBe(false);
    expect(out.messages[2]).toEqual({
      role: 'user',
      content: `<system-reminder>\n${env}\n</system-reminder>`,
    });
    expect(JSON.stringify(out.messages[4])).toContain('later reminder');
  });

  it('#24 a system message between tool_calls and their results waits for the results', () => {
    const out = translateRequest(
      req({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Bash', input: {} }] },
          { role: 'system', content: 'note' },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages.map((m) => m.role)).toEqual(['assistant', 'tool', 'user']);
  });

  it('#24 a leading system message joins the system prompt', () => {
    const out = translateRequest(
      req({
        system: 'S',
        messages: [
          { role: 'system', content: 'more' },
          { role: 'user', content: 'hi' },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages[0]).toEqual({ role: 'system', content: 'S\n\nmore' });
  });

  it('#25 max_tokens is the clamped ctx.maxTokens and model the upstream id', () => {
    const out = translateRequest(req({ max_tokens: 64000 }), ctxFor({ maxTokens: 8192 }));
    expect(out.max_tokens).toBe(8192);
    expect(out.model).toBe('qwen3-coder-plus');
  });

  it('#26 unknown fields dropped; effort drives the thinking knob', () => {
    const body = req({
      metadata: { user_id: 'user_abc_session_1' },
      context_management: { edits: [] },
      output_config: { effort: 'high' },
      service_tier: 'auto',
      top_k: 5,
      container: 'c',
      temperature: 0.3,
      top_p: 0.9,
    });
    const out = translateRequest(body, ctxFor({ upstreamModel: 'glm-4.6' }));
    expect(Object.keys(out).sort()).toEqual(
      ['chat_template_kwargs', 'max_tokens', 'messages', 'model', 'temperature', 'top_p'].sort(),
    );
    expect(out.chat_template_kwargs).toEqual({ enable_thinking: true });
    const low = translateRequest(
      req({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } }),
      ctxFor({ upstreamModel: 'glm-4.6' }),
    );
    expect(low.chat_template_kwargs).toEqual({ enable_thinking: false });
  });
});

describe('translateRequest, more shapes', () => {
  it('#11 images inside a tool result follow the tool messages in a user message', () => {
    const out = translateRequest(
      req({
        messages: [
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 's', name: 'Screenshot', input: {} }],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 's',
                content: [
                  { type: 'text', text: 'captured' },
                  {
                    type: 'image',
                    source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4A==' },
                  },
                ],
              },
            ],
          },
        ],
      }),
      ctxFor({ upstreamModel: 'qwen3-vl-plus' }),
    );
    expect(out.messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 's', content: 'captured' },
      {
        role: 'user',
        content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4A==' } }],
      },
    ]);
  });

  it('#11 a tool result without content is an empty tool message', () => {
    const out = translateRequest(
      req({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Touch', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
        ],
      }),
      ctxFor(),
    );
    expect(out.messages[1]).toEqual({ role: 'tool', tool_call_id: 't', content: '' });
  });

  it('#17 a tool name the model wrote in another case maps back to the declared one', () => {
    const ctx = ctxFor();
    translateRequest(req({ tools: [{ name: 'Bash', input_schema: {} }] }), ctx);
    const message = translateResponse(
      {
        choices: [
          {
            message: { tool_calls: [{ id: 'c', function: { name: 'bash', arguments: '{}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      },
      ctx,
    );
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'Bash' });
  });
});
