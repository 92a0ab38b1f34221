/**
 * OpenAI chat completion → Anthropic `Message` (PROTOCOL §4). An upstream
 * body that is not an answer (an error, no choices) throws UpstreamError:
 * a fake empty message would make Claude Code carry on as if the model had
 * nothing to say.
 */
import { parseToolArguments } from './json-repair.js';
import {
  estimateOutputTokens,
  isKnownFinishReason,
  newMessageId,
  reasoningOf,
  sanitizeToolId,
  signatureOf,
  stopReasonOf,
  textOf,
  usageOf,
} from './shared.js';
import { clientToolName } from './tool-names.js';
import type {
  AnthropicMessage,
  AnthropicResponseBlock,
  OpenAIUsage,
  TranslateContext,
} from './types.js';
import { detectEnvelopeError, isRecord, UpstreamError } from './upstream-error.js';

export function translateResponse(completion: unknown, ctx: TranslateContext): AnthropicMessage {
  const provider = ctx.provider;
  const envelope = detectEnvelopeError(completion, provider, { model: ctx.upstreamModel });
  if (envelope) throw envelope;

  const choice =
    isRecord(completion) && Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) {
    throw new UpstreamError(
      'server',
      `${provider.displayName} answered without a message (no choices in the response).`,
    );
  }
  const message = choice.message;
  const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : null;
  if (finishReason === 'network_error') {
    throw new UpstreamError('network', `${provider.displayName} lost its connection to the model.`);
  }

  const content: AnthropicResponseBlock[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning !== '') {
    content.push({ type: 'thinking', thinking: reasoning, signature: signatureOf(reasoning) });
  }
  const text = textOf(message.content);
  if (text.trim() !== '') content.push({ type: 'text', text });

  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  for (const call of calls) {
    if (!isRecord(call)) continue;
    const fn = isRecord(call.function) ? call.function : {};
    const name = typeof fn.name === 'string' ? fn.name : '';
    if (name === '') continue;
    content.push({
      type: 'tool_use',
      id: sanitizeToolId(call.id),
      name: clientToolName(name, ctx.toolNames),
      input: parseToolArguments(fn.arguments),
    });
  }

  const emittedTool = content.some((block) => block.type === 'tool_use');
  if (content.length === 0 && finishReason !== null && !isKnownFinishReason(finishReason)) {
    throw new UpstreamError(
      'overloaded',
      `${provider.displayName} ended the answer with "${finishReason}" and no content.`,
    );
  }

  const chars = reasoning.length + text.length;
  const usage = isRecord(completion) ? (completion.usage as OpenAIUsage | undefined) : undefined;
  return {
    id: newMessageId(),
    type: 'message',
    role: 'assistant',
    model: ctx.clientModel,
    content,
    stop_reason: stopReasonOf(finishReason, emittedTool),
    stop_sequence: null,
    usage: usageOf(usage, {
      input: Math.max(1, ctx.estimatedInputTokens ?? 1),
      output: estimateOutputTokens(chars),
    }),
  };
}
