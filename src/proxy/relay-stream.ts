import type { ServerResponse } from 'node:http';
import type { ProviderDefinition } from '../providers/types.js';
import { type Puller, puller, TIMEOUT } from './pull.js';
import { jsonInsteadOfStream, replayMessage } from './replay.js';
import { createSseParser, type SseMessage } from './sse/parser.js';
import {
  type AnthropicUsage,
  classifyUpstream,
  createStreamTranslator,
  detectEnvelopeError,
  encodeSse,
  type SseEvent,
  type TranslateContext,
  UpstreamError,
} from './translate/index.js';
import { networkError, type UpstreamResponse } from './upstream.js';

export interface StreamOptions {
  provider: ProviderDefinition;
  ctx: TranslateContext;
  requestId: string;
  /** `ping` after this much downstream silence. */
  pingIntervalMs: number;
  /**
   * Commit (headers + message_start) after this long without upstream bytes
   * even though none arrived, so the client's first-byte timeout never fires.
   */
  commitAfterMs: number;
  signal: AbortSignal;
}

export type StreamOutcome =
  | { type: 'failed'; error: UpstreamError }
  | { type: 'aborted' }
  | {
      type: 'committed';
      usage: AnthropicUsage | undefined;
      /** The `error` event's type when the stream ended with one after the commit point. */
      error: string | undefined;
    };

/** A JSON body (not SSE) answered to a stream request: read it whole, bounded. */
const MAX_ENVELOPE_BYTES = 1024 * 1024;

/**
 * Relays one upstream SSE stream to the client as Anthropic events. Nothing
 * is sent before the commit point: the first upstream SSE message that is not
 * an error. An HTTP-200 error envelope, an empty answer or a broken connection
 * before that is returned as `failed`, so the caller may try another account.
 * After it, every failure ends the stream with an `error` event.
 */
export async function relayStream(
  upstream: UpstreamResponse,
  res: ServerResponse,
  opts: StreamOptions,
): Promise<StreamOutcome> {
  const { provider, signal } = opts;
  const parser = createSseParser();
  const body = upstream.body;
  const pull = puller(body[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  // Destroying a body that was read to its end would only make an error object.
  const abandon = () => {
    if (!body.readableEnded) body.destroy();
  };

  // Before the commit point: find out whether this is a real stream.
  let first: SseMessage[] = [];
  let ended = false;
  let raw: Buffer[] = [];
  let rawSize = 0;
  let mode: 'unknown' | 'sse' | 'json' = 'unknown';
  const deadline = Date.now() + opts.commitAfterMs;
  try {
    while (first.length === 0) {
      const step = await pull.next(mode === 'json' ? undefined : deadline - Date.now());
      if (step === TIMEOUT) break;
      if (step.done) {
        ended = true;
        if (mode !== 'json') first = parser.end();
        break;
      }
      const chunk = step.value;
      if (mode === 'unknown') mode = sniff(chunk);
      if (mode === 'json') {
        rawSize += chunk.length;
        if (rawSize > MAX_ENVELOPE_BYTES) break;
        raw.push(chunk);
        continue;
      }
      if (mode === 'unknown') {
        raw.push(chunk); // only whitespace so far; keep for the parser
        continue;
      }
      if (raw.length > 0) {
        for (const held of raw) first.push(...parser.feed(held));
        raw = [];
      }
      first.push(...parser.feed(chunk));
    }
  } catch (error) {
    abandon();
    if (signal.aborted) return { type: 'aborted' };
    return { type: 'failed', error: networkError(provider, error) };
  }

  if (mode === 'json') {
    abandon();
    const text = Buffer.concat(raw).toString('utf8');
    const answer = jsonInsteadOfStream(provider, text, opts.ctx);
    if (answer instanceof UpstreamError) return { type: 'failed', error: answer };
    return replayMessage(res, opts.requestId, answer);
  }
  if (ended && first.length === 0) {
    return {
      type: 'failed',
      error: new UpstreamError('server', `${provider.displayName} sent an empty answer.`),
    };
  }
  const opening = first[0];
  if (opening && !opening.done) {
    const envelope = envelopeIn(opening, provider, opts.ctx.upstreamModel);
    if (envelope) {
      abandon();
      return { type: 'failed', error: envelope };
    }
  }

  // The commit point.
  return streamCommitted(res, opts, pull, parser, first, ended, abandon);
}

async function streamCommitted(
  res: ServerResponse,
  opts: StreamOptions,
  pull: Puller,
  parser: ReturnType<typeof createSseParser>,
  first: SseMessage[],
  endedEarly: boolean,
  abandon: () => void,
): Promise<StreamOutcome> {
  const { provider, signal } = opts;
  const translator = createStreamTranslator(opts.ctx);
  let usage: AnthropicUsage | undefined;
  let errorType: string | undefined;
  let finished = false;
  let over = false;
  let lastWrite = Date.now();

  /** Encodes events, noting the usage and any error event for the summary. */
  const encode = (events: SseEvent[]): string => {
    let text = '';
    for (const event of events) {
      if (event.type === 'message_delta') usage = event.usage;
      else if (event.type === 'error') errorType = event.error.type;
      text += encodeSse(event);
    }
    return text;
  };

  /**
   * Writes what is ready now. Everything one upstream read produced goes out
   * in one write: no event waits for a later one.
   */
  const flush = async (text: string): Promise<void> => {
    if (text === '' || res.writableEnded || res.destroyed) return;
    lastWrite = Date.now();
    if (!res.write(text)) await drained(res);
  };

  /** The last events go out with the end of the response, in one write. */
  const send = async (text: string): Promise<void> => {
    if (!over) return flush(text);
    if (res.writableEnded || res.destroyed) return;
    res.end(text);
  };

  let pingTimer: NodeJS.Timeout | undefined;
  const armPing = (delay: number) => {
    pingTimer = setTimeout(() => {
      if (finished || res.writableEnded) return;
      const idle = Date.now() - lastWrite;
      if (idle >= opts.pingIntervalMs - 1) {
        void flush(encode([translator.ping()]));
        armPing(opts.pingIntervalMs);
      } else {
        armPing(opts.pingIntervalMs - idle);
      }
    }, delay);
  };

  /** Translates upstream messages until one ends the stream. */
  const translate = (messages: SseMessage[]): string => {
    let text = '';
    for (const message of messages) {
      if (over) break;
      if (message.done) {
        over = true;
        text += encode(translator.finish());
        break;
      }
      let json: unknown;
      try {
        json = JSON.parse(message.data);
      } catch {
        // A stray non-JSON line (some servers send plain keep-alive text): skip it.
        continue;
      }
      const envelope = envelopeIn(message, provider, opts.ctx.upstreamModel, json);
      if (envelope) {
        over = true;
        text += encode(translator.fail(envelope));
        break;
      }
      text += encode(translator.push(json));
    }
    return text;
  };

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': opts.requestId,
  });
  armPing(opts.pingIntervalMs);

  try {
    let text = encode(translator.start()) + translate(first);
    if (!over && endedEarly) {
      over = true;
      text += encode(translator.finish());
    }
    await send(text);
    while (!over) {
      const step = await pull.next();
      if (step.done) {
        text = translate(parser.end());
        if (!over) text += encode(translator.finish());
        over = true;
      } else {
        text = translate(parser.feed(step.value));
      }
      await send(text);
    }
  } catch (error) {
    if (!signal.aborted && !res.destroyed) {
      const failure = error instanceof UpstreamError ? error : networkError(provider, error);
      await flush(encode(translator.fail(failure))).catch(() => undefined);
    }
  } finally {
    finished = true;
    if (pingTimer) clearTimeout(pingTimer);
    if (!res.writableEnded) res.end();
  }
  if (signal.aborted) {
    abandon();
    return { type: 'aborted' };
  }
  if (errorType === undefined) {
    // `[DONE]` usually comes just before the end of the body: read that end
    // rather than destroy the body, which would close the keep-alive connection.
    void drainRest(pull, abandon);
  } else {
    abandon();
  }
  return { type: 'committed', usage, error: errorType };
}

/** Reads what is left of a finished upstream answer, bounded, in the background. */
async function drainRest(pull: Puller, abandon: () => void): Promise<void> {
  let size = 0;
  try {
    for (;;) {
      const step = await pull.next();
      if (step.done) return;
      size += step.value.length;
      if (size > MAX_ENVELOPE_BYTES) break;
    }
  } catch {
    // The upstream went away after its answer was complete: nothing to do.
  }
  abandon();
}

function sniff(chunk: Buffer): 'unknown' | 'sse' | 'json' {
  for (const byte of chunk) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    // BOM-less JSON object or array: an error envelope instead of a stream.
    return byte === 0x7b || byte === 0x5b ? 'json' : 'sse';
  }
  return 'unknown';
}

function envelopeIn(
  message: SseMessage,
  provider: ProviderDefinition,
  model: string,
  parsed?: unknown,
): UpstreamError | undefined {
  let json = parsed;
  if (json === undefined) {
    try {
      json = JSON.parse(message.data);
    } catch {
      return undefined;
    }
  }
  const found = detectEnvelopeError(json, provider, { model });
  if (found) return found;
  if (message.event === 'error') return classifyUpstream(500, message.data, provider, { model });
  return undefined;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
