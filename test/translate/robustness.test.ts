/**
 * Whatever a client or an upstream sends, translation must not throw (the
 * proxy would answer a 400 or cut a stream) and the stream grammar must hold.
 * Random JSON-ish values from a seeded PRNG are thrown at every entry point.
 */
import { describe, expect, it } from 'vitest';
import {
  type AnthropicRequest,
  createStreamTranslator,
  estimateInputTokens,
  translateRequest,
  translateResponse,
  UpstreamError,
} from '../../src/proxy/translate/index.js';
import { assemble, ctxFor, intBelow, prng } from './helpers.js';

type Random = () => number;

const KEYS = [
  'type',
  'text',
  'content',
  'role',
  'tool_use_id',
  'id',
  'name',
  'input',
  'source',
  'data',
  'media_type',
  'is_error',
  'thinking',
  'choices',
  'delta',
  'tool_calls',
  'function',
  'arguments',
  'index',
  'finish_reason',
  'usage',
  'reasoning_content',
  'message',
  'error',
];
const STRINGS = [
  'text',
  'image',
  'tool_use',
  'tool_result',
  'user',
  'assistant',
  'system',
  'stop',
  'tool_calls',
  '',
  'x',
  '{"a":',
  'base64',
];

function junk(random: Random, depth = 0): unknown {
  switch (intBelow(random, depth > 3 ? 4 : 7)) {
    case 0:
      return STRINGS[intBelow(random, STRINGS.length)];
    case 1:
      return intBelow(random, 5) - 1;
    case 2:
      return random() < 0.5 ? null : undefined;
    case 3:
      return random() < 0.5;
    case 4:
    case 5: {
      const out: Record<string, unknown> = {};
      for (let i = intBelow(random, 5); i > 0; i -= 1) {
        out[KEYS[intBelow(random, KEYS.length)] as string] = junk(random, depth + 1);
      }
      return out;
    }
    default:
      return Array.from({ length: intBelow(random, 4) }, () => junk(random, depth + 1));
  }
}

describe('robustness against malformed input', () => {
  it('translateRequest and estimateInputTokens never throw on junk bodies', () => {
    const random = prng(31337);
    for (let round = 0; round < 2000; round += 1) {
      const body = {
        model: 'm',
        messages: Array.from({ length: intBelow(random, 5) }, () => junk(random)),
        system: junk(random),
        tools: random() < 0.5 ? junk(random) : [junk(random)],
        tool_choice: junk(random),
        stop_sequences: junk(random),
        thinking: junk(random),
        output_config: junk(random),
      } as unknown as AnthropicRequest;
      const out = translateRequest(body, ctxFor({ upstreamModel: 'glm-4.6' }));
      expect(out.model).toBe('glm-4.6');
      expect(estimateInputTokens(body)).toBeGreaterThanOrEqual(1);
    }
  });

  it('translateResponse returns a message or throws UpstreamError, nothing else', () => {
    const random = prng(4242);
    for (let round = 0; round < 2000; round += 1) {
      const body = random() < 0.5 ? junk(random) : { choices: [junk(random)], usage: junk(random) };
      try {
        const message = translateResponse(body, ctxFor());
        expect(message.id).toMatch(/^msg_/);
        expect(typeof message.usage.output_tokens).toBe('number');
      } catch (error) {
        expect(error).toBeInstanceOf(UpstreamError);
      }
    }
  });

  it('the stream grammar holds for junk chunks', () => {
    const random = prng(777);
    for (let round = 0; round < 1000; round += 1) {
      const translator = createStreamTranslator(ctxFor());
      const events = [...translator.start()];
      for (let i = intBelow(random, 8); i > 0; i -= 1) {
        const chunk =
          random() < 0.7
            ? { choices: [{ index: 0, delta: junk(random), finish_reason: junk(random) }] }
            : junk(random);
        events.push(...translator.push(chunk));
      }
      events.push(...translator.finish());
      assemble(events);
    }
  });
});
