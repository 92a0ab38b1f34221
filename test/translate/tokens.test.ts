import { describe, expect, it } from 'vitest';
import { estimateInputTokens, translateRequest } from '../../src/proxy/translate/index.js';
import { estimateTextTokens, IMAGE_TOKENS } from '../../src/proxy/translate/tokens.js';
import { ctxFor } from './helpers.js';
import { claudeCodeLikeRequest, REFERENCE_TEXT_TOKENS, REFERENCE_TOKENS } from './token-fixture.js';

describe('estimateInputTokens (PROTOCOL §7, items 60–61)', () => {
  it('#60 large system + 20 tools: within ±15 % of the o200k count, never below text-only', () => {
    const body = claudeCodeLikeRequest();
    expect(body.tools).toHaveLength(20);
    const estimate = estimateInputTokens(body);
    expect(estimate / REFERENCE_TOKENS).toBeGreaterThan(0.85);
    expect(estimate / REFERENCE_TOKENS).toBeLessThan(1.15);
    expect(estimate).toBeGreaterThanOrEqual(REFERENCE_TEXT_TOKENS);
  });

  it('#60 the reference still describes the fixture (translation unchanged)', () => {
    // The reference count was taken over this translation; if it changes,
    // the reference must be recomputed (see token-fixture.ts).
    const out = translateRequest(claudeCodeLikeRequest(), ctxFor());
    expect(out.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'user',
      'assistant',
      'tool',
    ]);
    expect(out.tools).toHaveLength(20);
  });

  it('#61 an image adds a fixed positive estimate and no error', () => {
    const text = { model: 'm', messages: [{ role: 'user' as const, content: 'look at this' }] };
    const withImage = {
      model: 'm',
      messages: [
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: 'look at this' },
            {
              type: 'image' as const,
              source: {
                type: 'base64' as const,
                media_type: 'image/png',
                data: 'A'.repeat(100_000),
              },
            },
          ],
        },
      ],
    };
    const delta = estimateInputTokens(withImage) - estimateInputTokens(text);
    expect(delta).toBeGreaterThanOrEqual(IMAGE_TOKENS);
    expect(delta).toBeLessThan(IMAGE_TOKENS + 5);
  });

  it('counts tool inputs, tool results and thinking; adding content never lowers it', () => {
    const base = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    const more = {
      model: 'm',
      messages: [
        { role: 'user' as const, content: 'hi' },
        {
          role: 'assistant' as const,
          content: [
            { type: 'thinking' as const, thinking: 'let me think about this', signature: 's' },
            { type: 'tool_use' as const, id: 't', name: 'Bash', input: { command: 'ls -la /tmp' } },
          ],
        },
        {
          role: 'user' as const,
          content: [
            { type: 'tool_result' as const, tool_use_id: 't', content: 'total 0\nfile.txt' },
          ],
        },
      ],
    };
    expect(estimateInputTokens(more)).toBeGreaterThan(estimateInputTokens(base) + 15);
  });

  it('is at least 1, even for nonsense', () => {
    expect(estimateInputTokens({ model: 'm', messages: [] })).toBeGreaterThanOrEqual(1);
    expect(estimateInputTokens(null as never)).toBe(1);
    expect(estimateInputTokens({ model: 'm', messages: 'x' as never })).toBeGreaterThanOrEqual(1);
  });

  it('text shapes: CJK counts about a token a character, digits by groups', () => {
    expect(estimateTextTokens('')).toBe(0);
    const chinese = '这是一个用于测试的中文句子'; // 13 characters
    expect(estimateTextTokens(chinese)).toBeGreaterThan(10);
    expect(estimateTextTokens('1234567890')).toBeGreaterThan(estimateTextTokens('1234'));
    expect(estimateTextTokens('createStreamTranslator')).toBeGreaterThan(
      estimateTextTokens('create'),
    );
  });
});
