import type { AnthropicRequest, OpenAIChatRequest, TranslateContext } from './types.js';

export function translateRequest(body: AnthropicRequest, ctx: TranslateContext): OpenAIChatRequest {
  void body;
  return { model: ctx.upstreamModel, messages: [], max_tokens: ctx.maxTokens };
}
