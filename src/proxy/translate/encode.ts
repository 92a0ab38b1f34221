import type { SseEvent } from './types.js';

/** One Anthropic SSE frame: the event name equals the data's `type`. */
export function encodeSse(event: SseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
