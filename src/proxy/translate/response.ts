import type { AnthropicMessage, TranslateContext } from './types.js';

export function translateResponse(completion: unknown, ctx: TranslateContext): AnthropicMessage {
  void completion;
  void ctx;
  throw new Error('translateResponse: work in progress');
}
