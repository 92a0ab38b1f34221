/**
 * The translation layer between the Anthropic Messages API (what `claude`
 * speaks) and OpenAI chat completions (what the provider speaks). Pure: no
 * I/O, no clock, no logger; the proxy does the talking (contract #6).
 */
export { encodeSse } from './encode.js';
export { translateRequest } from './request.js';
export { translateResponse } from './response.js';
export { createStreamTranslator, type StreamTranslator } from './stream.js';
export { estimateInputTokens } from './tokens.js';
export type * from './types.js';
export {
  type ClassifyOptions,
  classifyUpstream,
  detectEnvelopeError,
  UpstreamError,
} from './upstream-error.js';
