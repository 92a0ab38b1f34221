/**
 * The conversation half of request translation: Anthropic `system` and
 * `messages` → OpenAI `messages`. The invariant that matters most upstream:
 * an assistant message with `tool_calls` is followed immediately by one
 * `tool` message per call, with nothing in between (PROTOCOL §3, §10 #23).
 */
import type {
  AnthropicContentBlock,
  AnthropicMessageParam,
  AnthropicOtherBlock,
  AnthropicRequest,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  OpenAIContentPart,
  OpenAIMessage,
  OpenAIToolCall,
} from './types.js';
import { isRecord } from './upstream-error.js';

export interface MessageOptions {
  rename: (name: string) => string;
  stripAttribution: boolean;
  /** Send earlier thinking back as `reasoning_content` (GLM, DeepSeek). */
  reasoningHistory: boolean;
}

type Block = AnthropicContentBlock | AnthropicOtherBlock;

const ATTRIBUTION_PREFIX = 'x-anthropic-billing-header:';
const NO_RESULT = 'Error: no result was recorded for this tool call.';

export function buildMessages(body: AnthropicRequest, options: MessageOptions): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  const system = systemText(body.system, options.stripAttribution);
  if (system !== '') out.push({ role: 'system', content: system });

  /** Tool calls of the last assistant message still waiting for results. */
  let pending: string[] = [];
  /** Mid-conversation system text that arrived while tool results were due. */
  let deferred: string[] = [];

  const closePending = () => {
    for (const id of pending) out.push({ role: 'tool', tool_call_id: id, content: NO_RESULT });
    pending = [];
  };

  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (!isRecord(message)) continue;
    const blocks = blocksOf(message.content);
    if (message.role === 'system') {
      const text = joinTexts(blocks, '\n\n');
      if (text === '') continue;
      if (out.every((m) => m.role === 'system')) appendSystem(out, text);
      else if (pending.length > 0) deferred.push(text);
      else out.push({ role: 'user', content: asReminder(text) });
      continue;
    }

    if (message.role === 'assistant') {
      closePending();
      flushDeferred(out, deferred);
      deferred = [];
      const assistant = assistantMessage(blocks, options);
      if (!assistant) continue;
      out.push(assistant);
      pending = assistant.role === 'assistant' ? (assistant.tool_calls ?? []).map((c) => c.id) : [];
      continue;
    }

    const parts = userParts(blocks, pending, out);
    closePending();
    if (deferred.length > 0) {
      parts.unshift(...deferred.map((text): OpenAIContentPart => textPart(asReminder(text))));
      deferred = [];
    }
    if (parts.length > 0) out.push({ role: 'user', content: userContent(parts) });
  }
  flushDeferred(out, deferred);
  return out;
}

/** System blocks joined with a blank line; attribution and blank parts dropped. */
function systemText(system: AnthropicRequest['system'], stripAttribution: boolean): string {
  if (typeof system === 'string') return system.trim() === '' ? '' : system;
  if (!Array.isArray(system)) return '';
  return system
    .filter(
      (block): block is AnthropicTextBlock => isRecord(block) && typeof block.text === 'string',
    )
    .map((block) => block.text)
    .filter((text) => text.trim() !== '')
    .filter((text) => !(stripAttribution && text.trimStart().startsWith(ATTRIBUTION_PREFIX)))
    .join('\n\n');
}

function appendSystem(out: OpenAIMessage[], text: string): void {
  const first = out[0];
  if (first?.role === 'system') first.content = `${first.content}\n\n${text}`;
  else out.unshift({ role: 'system', content: text });
}

/**
 * A system message in the middle of the conversation (Claude Code puts the
 * working directory, platform and date there) goes to the model as user text,
 * marked so the model does not take it for something the user typed.
 */
function asReminder(text: string): string {
  if (text.trimStart().startsWith('<system-reminder>')) return text;
  return `<system-reminder>\n${text}\n</system-reminder>`;
}

function flushDeferred(out: OpenAIMessage[], deferred: string[]): void {
  for (const text of deferred) out.push({ role: 'user', content: asReminder(text) });
  deferred.length = 0;
}

function assistantMessage(blocks: Block[], options: MessageOptions): OpenAIMessage | undefined {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: OpenAIToolCall[] = [];

  for (const block of blocks) {
    if (block.type === 'text' && typeof block.text === 'string') {
      if (block.text.trim() !== '') texts.push(block.text);
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      if (block.thinking.trim() !== '') reasoning.push(block.thinking);
    } else if (block.type === 'tool_use' && typeof block.name === 'string') {
      calls.push({
        id: typeof block.id === 'string' ? block.id : '',
        type: 'function',
        function: {
          name: options.rename(block.name),
          arguments: JSON.stringify(isRecord(block.input) ? block.input : {}),
        },
      });
    }
    // redacted_thinking and server-tool blocks mean nothing to the upstream.
  }

  if (texts.length === 0 && calls.length === 0) return undefined;
  const message: OpenAIMessage = { role: 'assistant', content: texts.join('\n') };
  if (calls.length > 0) message.tool_calls = calls;
  if (options.reasoningHistory && reasoning.length > 0) {
    message.reasoning_content = reasoning.join('\n');
  }
  return message;
}

/**
 * Pushes the tool messages of a user turn onto `out` (first, as OpenAI
 * requires) and returns what remains for the user message itself: text,
 * images, images that came inside tool results, and results that answer no
 * pending call (kept as text rather than sent as orphan tool messages).
 */
function userParts(blocks: Block[], pending: string[], out: OpenAIMessage[]): OpenAIContentPart[] {
  const parts: OpenAIContentPart[] = [];
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      const result = block as AnthropicToolResultBlock;
      const { text, images } = toolResultContent(result);
      const at = pending.indexOf(result.tool_use_id);
      if (at !== -1) {
        pending.splice(at, 1);
        out.push({ role: 'tool', tool_call_id: result.tool_use_id, content: text });
      } else {
        parts.push(textPart(`[Result of tool call ${result.tool_use_id}]\n${text}`));
      }
      parts.push(...images);
      continue;
    }
    const part = contentPart(block);
    if (part) parts.push(part);
  }
  return parts;
}

function toolResultContent(block: AnthropicToolResultBlock): {
  text: string;
  images: OpenAIContentPart[];
} {
  const images: OpenAIContentPart[] = [];
  let text: string;
  if (typeof block.content === 'string') {
    text = block.content;
  } else if (Array.isArray(block.content)) {
    const texts: string[] = [];
    for (const inner of block.content as Block[]) {
      const part = contentPart(inner);
      if (part?.type === 'text') texts.push(part.text);
      else if (part) images.push(part);
    }
    text = texts.join('\n');
  } else {
    text = '';
  }

  if (block.is_error === true && !text.includes('<tool_use_error>')) {
    text = text === '' ? 'Error' : `Error: ${text}`;
  }
  return { text, images };
}

/** A user-side block as an OpenAI part; undefined for what is dropped. */
function contentPart(block: Block): OpenAIContentPart | undefined {
  if (block.type === 'text') {
    const text = typeof block.text === 'string' ? block.text : '';
    return text.trim() === '' ? undefined : textPart(text);
  }
  if (block.type === 'image') return imagePart(block.source);
  if (block.type === 'document' && isRecord(block.source)) {
    const source = block.source;
    if (source.type === 'text' && typeof source.data === 'string') return textPart(source.data);
    if (source.type === 'base64' || source.type === 'url') return imagePart(source);
  }
  if (block.type === 'search_result' && Array.isArray(block.content)) {
    const text = joinTexts(block.content as Block[], '\n');
    return text === '' ? undefined : textPart(text);
  }
  return undefined;
}

function imagePart(source: unknown): OpenAIContentPart | undefined {
  if (!isRecord(source)) return undefined;
  if (source.type === 'url' && typeof source.url === 'string') {
    return { type: 'image_url', image_url: { url: source.url } };
  }
  if (source.type === 'base64' && typeof source.data === 'string') {
    // Some clients send the data already as a data URL.
    if (source.data.startsWith('data:')) {
      return { type: 'image_url', image_url: { url: source.data } };
    }
    const mediaType =
      typeof source.media_type === 'string' ? source.media_type : 'application/octet-stream';
    return { type: 'image_url', image_url: { url: `data:${mediaType};base64,${source.data}` } };
  }
  return undefined;
}

function textPart(text: string): OpenAIContentPart {
  return { type: 'text', text };
}

/** Plain string when there is only text (what every backend accepts). */
function userContent(parts: OpenAIContentPart[]): string | OpenAIContentPart[] {
  if (parts.every((part) => part.type === 'text')) {
    return parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  }
  return parts;
}

function blocksOf(content: AnthropicMessageParam['content']): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isRecord).map((block) => block as Block) : [];
}

function joinTexts(blocks: Block[], separator: string): string {
  return blocks
    .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
    .filter((text) => text.trim() !== '')
    .join(separator);
}
