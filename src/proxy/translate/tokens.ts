import type { AnthropicRequest } from './types.js';

export function estimateInputTokens(body: AnthropicRequest): number {
  void body;
  return 1;
}
