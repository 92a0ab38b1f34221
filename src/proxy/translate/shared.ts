/**
 * Pieces both response translators (whole message and stream) use: ids,
 * usage, stop reasons and reading reasoning text from the many shapes
 * OpenAI-compatible backends use for it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AnthropicStopReason, AnthropicUsage, OpenAIUsage } from './types.js';
import { isRecord } from './upstream-error.js';

const TOOL_ID = /^[a-zA-Z0-9_-]+$/;

export function newMessageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

/** Anthropic requires `^[a-zA-Z0-9_-]+$`; iFlow sends `call.x:1`-style ids. */
export function sanitizeToolId(id: unknown): string {
  const raw = typeof id === 'string' ? id : '';
  if (TOOL_ID.test(raw)) return raw;
  const cleaned = raw.replace(/[^a-zA-Z0-9_-]/g, '_');
  return /[a-zA-Z0-9]/.test(cleaned) ? cleaned : `toolu_${randomBytes(12).toString('hex')}`;
}

/**
 * The thinking block's signature. Claude Code keeps only signed thinking;
 * nothing verifies it but us, so a digest of the text is enough.
 */
export function signatureOf(thinking: string): string {
  return `sig_${createHash('sha256').update(thinking).digest('base64url').slice(0, 43)}`;
}

/**
 * OpenAI finish_reason → Anthropic stop_reason, decided by what was actually
 * emitted: tools ran ⇒ `tool_use` whatever the upstream said, `tool_calls`
 * without tools ⇒ `end_turn` (PROTOCOL §6.1).
 */
export function stopReasonOf(
  finishReason: string | null | undefined,
  emittedTool: boolean,
): AnthropicStopReason {
  if (finishReason === 'length') return 'max_tokens';
  if (finishReason === 'content_filter') return emittedTool ? 'tool_use' : 'refusal';
  return emittedTool ? 'tool_use' : 'end_turn';
}

/** The finish reasons that are answers; anything else is reported, not guessed at. */
export function isKnownFinishReason(reason: string): boolean {
  return ['stop', 'length', 'tool_calls', 'function_call', 'content_filter'].includes(reason);
}

/** OpenAI usage → Anthropic usage; input excludes what was read from cache. */
export function usageOf(
  usage: OpenAIUsage | null | undefined,
  fallback: { input: number; output: number },
): AnthropicUsage {
  if (!isRecord(usage)) {
    return {
      input_tokens: fallback.input,
      output_tokens: fallback.output,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
  }
  const details = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cacheRead = count(usage.cache_read_input_tokens) ?? count(details.cached_tokens) ?? 0;
  const cacheWrite =
    count(usage.cache_creation_input_tokens) ??
    count(details.cache_creation_tokens) ??
    count(details.cache_write_tokens) ??
    0;
  const prompt = count(usage.prompt_tokens);
  return {
    input_tokens:
      prompt === undefined ? fallback.input : Math.max(0, prompt - cacheRead - cacheWrite),
    output_tokens: count(usage.completion_tokens) ?? fallback.output,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.round(value)
    : undefined;
}

/**
 * Reasoning text of a message or delta: `reasoning_content` (DeepSeek, GLM,
 * iFlow), `reasoning` (OpenRouter, vLLM), `reasoning_details[].text`, or
 * `thinking.content`. Empty string when there is none.
 */
export function reasoningOf(source: unknown): string {
  if (!isRecord(source)) return '';
  for (const key of ['reasoning_content', 'reasoning'] as const) {
    const value = source[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  if (Array.isArray(source.reasoning_details)) {
    return source.reasoning_details
      .map((detail) => (isRecord(detail) && typeof detail.text === 'string' ? detail.text : ''))
      .join('');
  }
  if (isRecord(source.thinking) && typeof source.thinking.content === 'string') {
    return source.thinking.content;
  }
  return '';
}

/** Message/delta text: a string, or an array of `{type:"text", text}` parts. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** A rough output count for when the upstream reports no usage at all. */
export function estimateOutputTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}
