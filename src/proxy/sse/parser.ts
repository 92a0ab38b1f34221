/** One upstream SSE message. `done` is true for `data: [DONE]`. */
export interface SseMessage {
  event?: string;
  data: string;
  done: boolean;
}

export interface SseParser {
  feed(bytes: Uint8Array): SseMessage[];
  end(): SseMessage[];
}

export function createSseParser(): SseParser {
  throw new Error('createSseParser: work in progress');
}
