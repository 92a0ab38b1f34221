import type { SseEvent, TranslateContext } from './types.js';
import type { UpstreamError } from './upstream-error.js';

export interface StreamTranslator {
  /** `message_start`; call once, right after committing to a stream. */
  start(): SseEvent[];
  /** One parsed upstream chunk (the JSON of one `data:` line). */
  push(chunk: unknown): SseEvent[];
  /** At `[DONE]` or a clean EOF. */
  finish(): SseEvent[];
  /** An upstream failure after the commit point: one `error` event. */
  fail(error: UpstreamError): SseEvent[];
  ping(): SseEvent;
}

export function createStreamTranslator(ctx: TranslateContext): StreamTranslator {
  void ctx;
  throw new Error('createStreamTranslator: work in progress');
}
