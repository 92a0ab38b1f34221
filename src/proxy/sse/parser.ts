/**
 * Incremental parser for the upstream's Server-Sent Events, fed raw bytes as
 * they come off the socket. It sits on the per-chunk hot path, so each byte
 * is decoded and scanned once: a streaming UTF-8 decoder (a character split
 * between chunks is never turned into U+FFFD), line ends searched only in the
 * newly arrived text, and a long line kept as a list of pieces until its end
 * shows up (no re-scanning or re-copying of a growing buffer).
 *
 * Framing follows the SSE spec: lines end in CRLF, LF or CR; a blank line
 * dispatches; `data:` lines are joined with "\n"; `:` comments, `id:` and
 * `retry:` are ignored. `data: [DONE]` comes out as a message with
 * `done: true` for the caller to recognise; it is never JSON.
 */

/** One upstream SSE message. */
export interface SseMessage {
  /** The `event:` name, when the upstream sent one (e.g. `error`). */
  event?: string;
  data: string;
  /** True for the OpenAI end marker `[DONE]`. */
  done: boolean;
}

export interface SseParser {
  /** Bytes as they arrive; returns the messages completed by them. */
  feed(bytes: Uint8Array): SseMessage[];
  /** End of stream: flushes a last message that lacked its blank line. */
  end(): SseMessage[];
}

export function createSseParser(): SseParser {
  const decoder = new TextDecoder('utf-8');
  /** Pieces of the line whose end has not arrived yet. */
  let partial: string[] = [];
  /** The previous text ended in CR: a leading LF belongs to that line end. */
  let skipLeadingLf = false;
  let dataLines: string[] = [];
  let eventName: string | undefined;
  let out: SseMessage[] = [];

  function dispatch(): void {
    if (dataLines.length === 0) {
      eventName = undefined;
      return;
    }
    const data = dataLines.length === 1 ? (dataLines[0] as string) : dataLines.join('\n');
    const message: SseMessage = { data, done: data.trim() === '[DONE]' };
    if (eventName !== undefined) message.event = eventName;
    out.push(message);
    dataLines = [];
    eventName = undefined;
  }

  function line(text: string): void {
    if (text === '') {
      dispatch();
      return;
    }
    if (text.charCodeAt(0) === 58 /* : */) return;

    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1);

    if (field === 'data') dataLines.push(value);
    else if (field === 'event') eventName = value;
    // `id`, `retry` and unknown fields carry nothing the proxy uses.
  }

  function scan(text: string): void {
    let pos = 0;
    if (skipLeadingLf && text.charCodeAt(0) === 10) pos = 1;
    skipLeadingLf = false;

    // Cached positions: each is searched again only after the scan passes it,
    // so a chunk with many LF lines and no CR is not re-scanned per line.
    let nextLf = text.indexOf('\n', pos);
    let nextCr = text.indexOf('\r', pos);
    while (pos < text.length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
      const end = nextCr === -1 ? nextLf : nextLf === -1 ? nextCr : Math.min(nextLf, nextCr);
      if (end === -1) {
        partial.push(text.slice(pos));
        return;
      }

      const piece = text.slice(pos, end);
      if (partial.length > 0) {
        partial.push(piece);
        const whole = partial.join('');
        partial = [];
        line(whole);
      } else {
        line(piece);
      }

      pos = end + 1;
      if (end === nextCr) {
        if (pos === text.length) skipLeadingLf = true;
        else if (text.charCodeAt(pos) === 10) pos += 1;
      }
    }
  }

  function take(): SseMessage[] {
    const done = out;
    out = [];
    return done;
  }

  return {
    feed(bytes) {
      const text = decoder.decode(bytes, { stream: true });
      if (text !== '') scan(text);
      return take();
    },
    end() {
      const rest = decoder.decode();
      if (rest !== '') scan(rest);
      if (partial.length > 0) {
        const last = partial.join('');
        partial = [];
        line(last);
      }
      dispatch();
      return take();
    },
  };
}
