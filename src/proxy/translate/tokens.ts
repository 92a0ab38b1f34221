/**
 * A cheap input-token estimate for `count_tokens` and `message_start`, with
 * no tokenizer on the request path (Claude Code and its IDE extensions may
 * ask 40–50 times a second). It counts what translation sends upstream:
 * system text, message text, tool-call inputs, tool results and tool
 * definitions, plus a per-message and per-tool overhead, and a fixed amount
 * per image.
 *
 * Calibration: the constants below were fitted against o200k_base counts
 * (the `gpt-tokenizer` package, used once offline, not a dependency) of
 * English prose, TypeScript source, JSON schemas, shell output and Chinese
 * text, including a Claude-Code-shaped request (test/translate/tokens.test.ts
 * keeps samples of each with the reference counts). They lean towards
 * overcounting: Claude Code's auto-compact trusts this number, and an
 * undercount ends in "prompt is too long".
 */
import type { AnthropicRequest } from './types.js';
import { isRecord } from './upstream-error.js';

/** ASCII characters per token; code and JSON run denser than prose. */
const ASCII_CHARS_PER_TOKEN = 3.3;
/** Tokens per non-ASCII character (CJK is about one token each). */
const TOKENS_PER_WIDE_CHAR = 1.1;
const MESSAGE_OVERHEAD = 4;
const TOOL_OVERHEAD = 8;
const REQUEST_OVERHEAD = 3;
/** Roughly what a ~1000×1000 image costs; the data is not decoded. */
export const IMAGE_TOKENS = 1600;

export function estimateInputTokens(body: AnthropicRequest): number {
  const counter = new Counter();
  if (!isRecord(body)) return 1;

  counter.add(body.system);
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    counter.overhead += MESSAGE_OVERHEAD;
    if (isRecord(message)) counter.add(message.content);
  }
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    if (!isRecord(tool)) continue;
    counter.overhead += TOOL_OVERHEAD;
    counter.text(typeof tool.name === 'string' ? tool.name : '');
    counter.text(typeof tool.description === 'string' ? tool.description : '');
    if (tool.input_schema !== undefined) counter.text(JSON.stringify(tool.input_schema));
  }
  return Math.max(1, Math.ceil(counter.total() + REQUEST_OVERHEAD));
}

class Counter {
  private units = 0;
  private bytes = 0;
  overhead = 0;
  images = 0;

  text(value: string): void {
    if (value === '') return;
    this.units += value.length;
    this.bytes += Buffer.byteLength(value, 'utf8');
  }

  /** Strings, blocks and block lists: every text-bearing field once. */
  add(value: unknown): void {
    if (typeof value === 'string') {
      this.text(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.add(item);
      return;
    }
    if (!isRecord(value)) return;

    switch (value.type) {
      case 'image':
        this.images += 1;
        return;
      case 'tool_use':
        this.text(typeof value.name === 'string' ? value.name : '');
        this.text(JSON.stringify(value.input ?? {}));
        this.overhead += 3;
        return;
      case 'tool_result':
        this.add(value.content);
        this.overhead += 3;
        return;
      case 'thinking':
        this.text(typeof value.thinking === 'string' ? value.thinking : '');
        return;
      case 'document':
        if (isRecord(value.source) && value.source.type === 'text') this.add(value.source.data);
        else this.images += 1;
        return;
      default:
        if (typeof value.text === 'string') this.text(value.text);
        else if (value.content !== undefined) this.add(value.content);
    }
  }

  /**
   * Non-ASCII characters take 2–4 UTF-8 bytes; the byte surplus over the
   * UTF-16 length tells how many there are without looking at each one.
   */
  total(): number {
    const wide = Math.min(this.units, Math.ceil((this.bytes - this.units) / 2));
    const ascii = this.units - wide;
    return (
      ascii / ASCII_CHARS_PER_TOKEN +
      wide * TOKENS_PER_WIDE_CHAR +
      this.overhead +
      this.images * IMAGE_TOKENS
    );
  }
}
