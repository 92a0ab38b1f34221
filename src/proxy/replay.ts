import type { ServerResponse } from 'node:http';
import type { ProviderDefinition } from '../providers/types.js';
import {
  type AnthropicMessage,
  classifyUpstream,
  detectEnvelopeError,
  encodeSse,
  type SseEvent,
  type TranslateContext,
  translateResponse,
  UpstreamError,
} from './translate/index.js';

/**
 * Some OpenAI-compatible servers ignore `stream: true` and answer one JSON
 * body. An error envelope is a failure before the commit point; a real
 * completion is translated and replayed as a stream.
 */
export function jsonInsteadOfStream(
  provider: ProviderDefinition,
  text: string,
  ctx: TranslateContext,
): AnthropicMessage | UpstreamError {
  const model = ctx.upstreamModel;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return classifyUpstream(502, text, provider, { model });
  }
  const envelope = detectEnvelopeError(json, provider, { model });
  if (envelope) return envelope;
  try {
    return translateResponse(json, ctx);
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    return new UpstreamError(
      'server',
      `${provider.displayName} sent an answer ccs could not read.`,
    );
  }
}

/** Sends a complete message as the Anthropic event sequence. */
export function replayMessage(
  res: ServerResponse,
  requestId: string,
  message: AnthropicMessage,
): { type: 'committed'; usage: AnthropicMessage['usage']; error: undefined } {
  const events: SseEvent[] = [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'thinking') {
      events.push(
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        },
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'thinking_delta', thinking: block.thinking },
        },
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'signature_delta', signature: block.signature },
        },
      );
    } else if (block.type === 'text') {
      events.push(
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } },
      );
    } else {
      events.push(
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        },
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
        },
      );
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
      usage: message.usage,
    },
    { type: 'message_stop' },
  );
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': requestId,
  });
  res.end(events.map(encodeSse).join(''));
  return { type: 'committed', usage: message.usage, error: undefined };
}
