/**
 * Hot-path costs of the translation layer (not a test; nothing asserts on
 * time): `npx vitest bench test/translate --run`.
 */
import { bench, describe } from 'vitest';
import { createSseParser } from '../../src/proxy/sse/parser.js';
import {
  createStreamTranslator,
  encodeSse,
  estimateInputTokens,
  translateRequest,
} from '../../src/proxy/translate/index.js';
import { ctxFor } from './helpers.js';
import { claudeCodeLikeRequest } from './token-fixture.js';

const CHUNKS = 2000;
const wire = (() => {
  let text = '';
  for (let i = 0; i < CHUNKS; i += 1) {
    const chunk = {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      model: 'qwen3-coder-plus',
      choices: [{ index: 0, delta: { content: `token ${i} 北 ` }, finish_reason: null }],
    };
    text += `data: ${JSON.stringify(chunk)}\n\n`;
  }
  const last = {
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: CHUNKS },
  };
  return new TextEncoder().encode(`${text}data: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`);
})();
const bigLine = new TextEncoder().encode(`data: {"a":"${'x'.repeat(5 * 1024 * 1024)}"}\n\n`);
const body = claudeCodeLikeRequest();

describe('translation hot paths', () => {
  bench(`stream: ${CHUNKS}-chunk answer, bytes → SSE text (300-byte reads)`, () => {
    const parser = createSseParser();
    const translator = createStreamTranslator(ctxFor());
    let bytes = translator.start().map(encodeSse).join('').length;
    for (let at = 0; at < wire.length; at += 300) {
      for (const message of parser.feed(wire.subarray(at, at + 300))) {
        const events = message.done
          ? translator.finish()
          : translator.push(JSON.parse(message.data));
        for (const event of events) bytes += encodeSse(event).length;
      }
    }
    if (bytes === 0) throw new Error('no output');
  });

  bench('parser: one 5 MB line in 64 KiB reads', () => {
    const parser = createSseParser();
    for (let at = 0; at < bigLine.length; at += 65536)
      parser.feed(bigLine.subarray(at, at + 65536));
    parser.end();
  });

  bench('translateRequest: Claude-Code-shaped request (~44 KB)', () => {
    translateRequest(body, ctxFor());
  });

  bench('estimateInputTokens: same request', () => {
    estimateInputTokens(body);
  });
});
