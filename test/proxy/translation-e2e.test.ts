import { describe, expect, it } from 'vitest';
import { call, jsonAnswer, sentUpstream, setUpProxyWithUpstream } from './helpers.js';

const bed = setUpProxyWithUpstream();

const sent = (body: Record<string, unknown>) => sentUpstream(bed, body);

describe('request translation through the socket', () => {
  it('item 8: a system string becomes the leading system message', async () => {
    const body = await sent({ system: 'S', messages: [{ role: 'user', content: 'hi' }] });
    expect(body.messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('item 9: the attribution block is dropped and no cache_control reaches upstream', async () => {
    const body = await sent({
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332; cc_entrypoint=cli' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }],
        },
      ],
    });
    const systems = body.messages.filter((m: { role: string }) => m.role === 'system');
    expect(systems).toHaveLength(1);
    expect(systems[0].content).toBe('You are Claude Code.');
    expect(JSON.stringify(body)).not.toContain('cache_control');
    expect(JSON.stringify(body)).not.toContain('x-anthropic-billing-header');
  });

  it('item 11: tool results come first, in order, then the remaining user text', async () => {
    const body = await sent({
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
            { type: 'tool_result', tool_use_id: 'a', content: 'r1' },
            {
              type: 'tool_result',
              tool_use_id: 'b',
              content: [
                { type: 'text', text: 'r2a' },
                { type: 'text', text: 'r2b' },
              ],
            },
            { type: 'text', text: 'next' },
          ],
        },
      ],
      tools: [{ name: 'Read', input_schema: { type: 'object', properties: {} } }],
    });
    expect(body.messages.slice(-3)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: 'r1' },
      { role: 'tool', tool_call_id: 'b', content: 'r2a\nr2b' },
      { role: 'user', content: 'next' },
    ]);
  });

  it('item 17: an 80-character tool name is shortened upstream and restored in the answer', async () => {
    const longName = `mcp__server__${'very_long_tool_name_'.repeat(4)}`.slice(0, 80);
    expect(longName).toHaveLength(80);
    bed.upstream.setHandler((req, res) => {
      const tool = (req.body.tools as Array<{ function: { name: string } }>)[0]!;
      jsonAnswer(res, 200, {
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: { name: tool.function.name, arguments: '{}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 5 },
      });
    });
    const answer = await call(bed.proxy, '/v1/messages', {
      model: 'qwen3-coder-plus',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'use it' }],
      tools: [{ name: longName, input_schema: { type: 'object', properties: {} } }],
    });
    const tools = bed.upstream.received[0]!.body.tools as Array<{ function: { name: string } }>;
    const upstreamName = tools[0]!.function.name;
    expect(upstreamName.length).toBeLessThanOrEqual(64);
    expect(upstreamName).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(answer.json().content[0]).toMatchObject({ type: 'tool_use', name: longName });
    expect(answer.json().stop_reason).toBe('tool_use');
  });

  it('item 22: thinking switches chat_template_kwargs on GLM, off when disabled', async () => {
    const base = { model: 'glm-4.6', messages: [{ role: 'user', content: 'think' }] };
    const enabled = await sent({ ...base, thinking: { type: 'enabled', budget_tokens: 16000 } });
    expect(enabled.chat_template_kwargs).toEqual({ enable_thinking: true });
    const disabled = await sent({ ...base, thinking: { type: 'disabled' } });
    expect(disabled.chat_template_kwargs).toEqual({ enable_thinking: false });
    const adaptive = await sent({ ...base, thinking: { type: 'adaptive', display: 'omitted' } });
    expect(adaptive.chat_template_kwargs).toEqual({ enable_thinking: true });
  });

  it('item 27: a non-streaming completion becomes an Anthropic message', async () => {
    bed.upstream.setHandler((_req, res) =>
      jsonAnswer(res, 200, {
        id: 'x1',
        choices: [{ message: { content: 'Hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 2 },
      }),
    );
    const answer = await call(bed.proxy, '/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello' }],
    });
    const message = answer.json();
    expect(answer.headers['request-id']).toMatch(/^req_/);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 2 },
    });
    expect(message.id).toMatch(/^msg_/);
  });

  it('§12: the mid-conversation system message reaches upstream (both shapes)', async () => {
    const environment = 'Primary working directory: /home/dev/project\nPlatform: linux';
    const asBlocks = await sent({
      messages: [
        { role: 'user', content: 'hello' },
        {
          role: 'system',
          content: [{ type: 'text', text: environment, cache_control: { type: 'ephemeral' } }],
        },
        { role: 'user', content: 'where am I?' },
      ],
    });
    expect(JSON.stringify(asBlocks.messages)).toContain('/home/dev/project');
    const asString = await sent({
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'system', content: environment },
      ],
    });
    expect(JSON.stringify(asString.messages)).toContain('/home/dev/project');
    const roles = asString.messages.map((m: { role: string }) => m.role);
    expect(roles.slice(1)).not.toContain('system');
  });
});
