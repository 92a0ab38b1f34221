/**
 * OpenAI stream chunks → Anthropic SSE events (PROTOCOL §5): a state machine
 * that produces exactly one `message_start`, `message_delta` and
 * `message_stop`, opens content blocks strictly one at a time, and only ever
 * sends a delta to the block that is open.
 *
 * Buffering strategy. Content is emitted in arrival order as blocks:
 * - Text and reasoning stream live while their block is open. Reasoning that
 *   resumes after text or a tool opens a new thinking block; every thinking
 *   block ends with a `signature_delta` before its stop.
 * - A tool block starts once the call's id and name are both known (they may
 *   arrive after arguments). Its arguments are buffered and sent as ONE
 *   `input_json_delta` when the block closes, re-serialised from the parsed
 *   (and, for single quotes or trailing commas, repaired) object. So the
 *   input Claude Code assembles is always a valid object — `{}` for a call
 *   without arguments — at the cost of not showing arguments as they grow.
 * - While a tool block is open and its JSON is not yet complete, anything
 *   else that arrives (text, reasoning, another parallel call) waits in a
 *   queue of pending segments: the open call may still get fragments, and a
 *   closed block can never take more. When its JSON completes (tracked per
 *   fragment by JsonProgress), or at finish, it closes and the queue drains
 *   in order. Interleaved parallel calls therefore come out one after the
 *   other, each with exactly its own arguments.
 * - A fragment for a call whose JSON was already complete and whose block
 *   was closed cannot belong to valid JSON; it is dropped.
 * `finish_reason` closes everything; `message_delta` waits for `finish()`
 * (at `[DONE]` or EOF) so that a usage chunk sent after the finish chunk is
 * still counted.
 */
import { createHash, type Hash } from 'node:crypto';
import { JsonProgress } from './json-progress.js';
import { parseToolArguments } from './json-repair.js';
import {
  estimateOutputTokens,
  isKnownFinishReason,
  newMessageId,
  reasoningOf,
  sanitizeToolId,
  stopReasonOf,
  textOf,
  usageOf,
} from './shared.js';
import { clientToolName } from './tool-names.js';
import type { ContentBlockDelta, OpenAIUsage, SseEvent, TranslateContext } from './types.js';
import { detectEnvelopeError, isRecord, UpstreamError } from './upstream-error.js';

export interface StreamTranslator {
  /** `message_start`; once, right after the proxy commits to a stream. */
  start(): SseEvent[];
  /** One parsed upstream chunk (the JSON of one `data:` message). */
  push(chunk: unknown): SseEvent[];
  /**
   * At `[DONE]` or a clean EOF: closes blocks, `message_delta`,
   * `message_stop` — or an `error` event when the stream was cut inside a
   * tool call's arguments or before any answer.
   */
  finish(): SseEvent[];
  /** An upstream failure after the commit point: one `error` event, the end. */
  fail(error: UpstreamError): SseEvent[];
  ping(): SseEvent;
}

interface ToolCall {
  openaiIndex: number;
  id: string;
  name: string;
  args: string[];
  progress: JsonProgress;
  state: 'queued' | 'open' | 'closed';
}

type Segment =
  | { kind: 'text'; parts: string[] }
  | { kind: 'thinking'; parts: string[] }
  | { kind: 'tool'; call: ToolCall };

type OpenBlock =
  | { kind: 'text'; index: number }
  | { kind: 'thinking'; index: number; digest: Hash }
  | { kind: 'tool'; index: number; call: ToolCall };

export function createStreamTranslator(ctx: TranslateContext): StreamTranslator {
  const messageId = newMessageId();
  const inputEstimate = Math.max(1, Math.round(ctx.estimatedInputTokens ?? 1));

  let started = false;
  let ended = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  const queue: Segment[] = [];
  /** The call currently using each OpenAI tool-call index. */
  const calls = new Map<number, ToolCall>();
  let emittedTool = false;
  let anyContent = false;
  let outputChars = 0;
  let finishReason: string | null = null;
  let usage: OpenAIUsage | undefined;
  let out: SseEvent[] = [];

  function emit(event: SseEvent): void {
    out.push(event);
  }

  function take(): SseEvent[] {
    const events = out;
    out = [];
    return events;
  }

  function ensureStarted(): void {
    if (started) return;
    started = true;
    emit({
      type: 'message_start',
      message: {
        id: messageId,
        type: 'message',
        role: 'assistant',
        model: ctx.clientModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: inputEstimate,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    });
  }

  function delta(index: number, value: ContentBlockDelta): void {
    emit({ type: 'content_block_delta', index, delta: value });
  }

  // --- opening and closing blocks -------------------------------------------

  function openText(text: string): void {
    const index = nextIndex++;
    open = { kind: 'text', index };
    emit({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    delta(index, { type: 'text_delta', text });
  }

  function openThinking(text: string): void {
    const index = nextIndex++;
    const digest = createHash('sha256').update(text);
    open = { kind: 'thinking', index, digest };
    emit({
      type: 'content_block_start',
      index,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
    delta(index, { type: 'thinking_delta', thinking: text });
  }

  function openTool(call: ToolCall): void {
    const index = nextIndex++;
    call.state = 'open';
    open = { kind: 'tool', index, call };
    emittedTool = true;
    const name = call.name === '' ? `tool_${call.openaiIndex}` : call.name;
    emit({
      type: 'content_block_start',
      index,
      content_block: {
        type: 'tool_use',
        id: sanitizeToolId(call.id),
        name: clientToolName(name, ctx.toolNames),
        input: {},
      },
    });
  }

  function closeOpen(): void {
    if (!open) return;
    const block = open;
    open = undefined;
    if (block.kind === 'thinking') {
      const signature = `sig_${block.digest.digest('base64url').slice(0, 43)}`;
      delta(block.index, { type: 'signature_delta', signature });
    } else if (block.kind === 'tool') {
      const input = parseToolArguments(block.call.args.join(''));
      block.call.args = [];
      block.call.state = 'closed';
      delta(block.index, { type: 'input_json_delta', partial_json: JSON.stringify(input) });
    }
    emit({ type: 'content_block_stop', index: block.index });
  }

  /** Text and thinking can end any time; a tool only once its JSON is whole. */
  function openIsClosable(): boolean {
    return open?.kind !== 'tool' || open.call.progress.complete;
  }

  function openSegment(segment: Segment): void {
    if (segment.kind === 'text') openText(segment.parts.join(''));
    else if (segment.kind === 'thinking') openThinking(segment.parts.join(''));
    else openTool(segment.call);
  }

  /** Moves queued segments into blocks as far as the open block allows. */
  function drain(): void {
    while (queue.length > 0 && openIsClosable()) {
      const front = queue[0] as Segment;
      if (front.kind === 'tool' && (front.call.id === '' || front.call.name === '')) return;
      queue.shift();
      closeOpen();
      openSegment(front);
    }
  }

  /** Everything out: the open block, then every queued segment in order. */
  function flushAll(): void {
    closeOpen();
    for (const segment of queue.splice(0)) {
      openSegment(segment);
      closeOpen();
    }
  }

  // --- content arriving -------------------------------------------------------

  function addProse(kind: 'text' | 'thinking', text: string): void {
    if (text === '') return;
    anyContent = true;
    outputChars += text.length;

    if (queue.length === 0) {
      if (open?.kind === kind) {
        if (open.kind === 'thinking') open.digest.update(text);
        delta(
          open.index,
          kind === 'text'
            ? { type: 'text_delta', text }
            : { type: 'thinking_delta', thinking: text },
        );
        return;
      }
      if (openIsClosable()) {
        closeOpen();
        if (kind === 'text') openText(text);
        else openThinking(text);
        return;
      }
    }

    const last = queue[queue.length - 1];
    if (last?.kind === kind) last.parts.push(text);
    else queue.push({ kind, parts: [text] });
  }

  function addToolDelta(raw: unknown, position: number): void {
    if (!isRecord(raw)) return;
    const openaiIndex = typeof raw.index === 'number' ? raw.index : position;
    const fn = isRecord(raw.function) ? raw.function : {};
    const id = typeof raw.id === 'string' ? raw.id : '';
    const name = typeof fn.name === 'string' ? fn.name : '';
    const args =
      typeof fn.arguments === 'string'
        ? fn.arguments
        : isRecord(fn.arguments)
          ? JSON.stringify(fn.arguments)
          : '';

    let call = calls.get(openaiIndex);
    // Some backends number every call 0; a new id at a used index is a new call.
    if (call && id !== '' && call.id !== '' && id !== call.id) call = undefined;
    const isNew = call === undefined;
    if (!call) {
      call = {
        openaiIndex,
        id: '',
        name: '',
        args: [],
        progress: new JsonProgress(),
        state: 'queued',
      };
      calls.set(openaiIndex, call);
    }
    if (call.id === '' && id !== '') call.id = id;
    if (call.name === '' && name !== '') call.name = name;
    if (args !== '' && call.state !== 'closed') {
      call.args.push(args);
      call.progress.feed(args);
      outputChars += args.length;
    }
    anyContent = true;

    if (isNew) {
      const ready = call.id !== '' && call.name !== '';
      if (queue.length === 0 && ready && openIsClosable()) {
        closeOpen();
        openTool(call);
      } else {
        queue.push({ kind: 'tool', call });
      }
    }
    drain();
  }

  function handleChoice(choice: Record<string, unknown>): SseEvent[] | undefined {
    const payload = isRecord(choice.delta)
      ? choice.delta
      : isRecord(choice.message)
        ? choice.message
        : {};
    addProse('thinking', reasoningOf(payload));
    addProse('text', textOf(payload.content));
    if (Array.isArray(payload.tool_calls)) {
      for (const [position, call] of payload.tool_calls.entries()) addToolDelta(call, position);
    }

    const reason = choice.finish_reason;
    if (typeof reason !== 'string' || reason === '') return undefined;
    if (reason === 'network_error') {
      return fail(
        new UpstreamError(
          'network',
          `${ctx.provider.displayName} lost its connection to the model.`,
        ),
      );
    }
    if (!isKnownFinishReason(reason) && !anyContent) {
      return fail(
        new UpstreamError(
          'overloaded',
          `${ctx.provider.displayName} ended the answer with "${reason}" and no content.`,
        ),
      );
    }
    finishReason = reason;
    flushAll();
    return undefined;
  }

  // --- the public face --------------------------------------------------------

  function fail(error: UpstreamError): SseEvent[] {
    if (ended) return take();
    ended = true;
    emit({ type: 'error', error: { type: error.anthropicType, message: error.message } });
    return take();
  }

  function finish(): SseEvent[] {
    if (ended) return [];
    ensureStarted();

    if (finishReason === null) {
      // Without a finish_reason, a call whose arguments never closed (or never
      // came) was cut off; running it with half its input is worse than a retry.
      const cutInTool = [open, ...queue].some(
        (block) => block?.kind === 'tool' && !block.call.progress.complete,
      );
      if (cutInTool) {
        return fail(
          new UpstreamError(
            'server',
            `${ctx.provider.displayName} ended the stream in the middle of a tool call.`,
          ),
        );
      }
      if (!anyContent) {
        return fail(
          new UpstreamError(
            'server',
            `${ctx.provider.displayName} closed the stream without sending an answer.`,
          ),
        );
      }
    }

    flushAll();
    ended = true;
    emit({
      type: 'message_delta',
      delta: { stop_reason: stopReasonOf(finishReason, emittedTool), stop_sequence: null },
      usage: usageOf(usage, { input: inputEstimate, output: estimateOutputTokens(outputChars) }),
    });
    emit({ type: 'message_stop' });
    return take();
  }

  return {
    start() {
      if (!ended) ensureStarted();
      return take();
    },

    push(chunk) {
      if (ended || !isRecord(chunk)) return [];
      ensureStarted();

      const error = detectEnvelopeError(chunk, ctx.provider, { model: ctx.upstreamModel });
      if (error) return fail(error);

      if (isRecord(chunk.usage)) usage = chunk.usage as OpenAIUsage;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      for (const choice of choices) {
        // One answer per request (n = 1); other choices would interleave.
        if (!isRecord(choice) || (typeof choice.index === 'number' && choice.index !== 0)) continue;
        const failed = handleChoice(choice);
        if (failed) return failed;
      }
      return take();
    },

    finish,
    fail,

    ping() {
      return { type: 'ping' };
    },
  };
}
