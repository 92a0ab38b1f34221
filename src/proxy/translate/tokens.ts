/**
 * A cheap input-token estimate for `count_tokens` and `message_start`, with
 * no tokenizer on the request path (Claude Code and its IDE extensions may
 * ask 40–50 times a second). It counts what translation sends upstream:
 * system text, message text, tool-call inputs, tool results and tool
 * definitions, plus a per-message and per-tool overhead, and a fixed amount
 * per image.
 *
 * Calibration. Characters per token vary from 2.3 (shell listings) to 4.5
 * (indented code) for o200k_base, so no single chars/token ratio gets close
 * on every kind of text. Instead one pass over the UTF-16 units counts
 * cheap shape features — words (letter runs, split at camelCase humps, one
 * token per 12 letters), digit groups of three, whitespace runs that break
 * lines, punctuation (which mostly merges into its neighbours), non-ASCII
 * characters. The weights were fitted once, offline, against
 * o200k_base counts (the `gpt-tokenizer` npm package, not a dependency) of
 * fourteen samples — English prose, Markdown, licence texts, TypeScript,
 * JavaScript, `.d.ts`, a minified JSON schema, Chinese Markdown in two
 * scripts, `ls -la` and `git log --stat` output — minimising the spread of
 * estimate/true, which is ±11 % around its centre (four held-out texts
 * landed at −15 %…0 % of it). SCALE leans about 5 % over the centre, the
 * side to err on:
 * Claude Code's auto-compact trusts this number, and an undercount ends in
 * "prompt is too long". One pass costs about a JSON.parse of the same text.
 */
import { TextMemo } from './text-memo.js';
import type { AnthropicRequest } from './types.js';
import { isRecord } from './upstream-error.js';

const LETTERS_PER_TOKEN = 12;
const DIGITS_PER_TOKEN = 3;
const DIGIT_GROUP_WEIGHT = 2;
const PUNCTUATION_WEIGHT = 0.2;
const LINE_BREAK_WEIGHT = 1.2;
const WIDE_CHAR_WEIGHT = 1.4;
const SCALE = 1.2;

const MESSAGE_OVERHEAD = 4;
const TOOL_OVERHEAD = 8;
const REQUEST_OVERHEAD = 3;
/** Roughly what a ~1000×1000 image costs; the data is not decoded. */
export const IMAGE_TOKENS = 1600;

/**
 * Estimates of the long texts of recent requests (system prompt, tool
 * schemas, history), which Claude Code resends every turn. 2M characters
 * holds a full 200k-token context; it keeps at most ~4 MB (8 for CJK) alive.
 */
export const textTokenMemo = new TextMemo(2_000_000, 256);

/** Character classes (plain numbers: this loop is the whole cost). */
const LETTER = 1;
const DIGIT = 2;
const SPACE = 3;
const OTHER = 4;

const ASCII_CLASS = new Uint8Array(128).map((_, code): number => {
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) return LETTER;
  if (code >= 48 && code <= 57) return DIGIT;
  if (code === 32 || code === 9 || code === 10 || code === 13) return SPACE;
  return OTHER;
});

/** The estimated o200k_base token count of one text (see the calibration note). */
export function estimateTextTokens(text: string): number {
  let words = 0;
  let digitGroups = 0;
  let lineBreaks = 0;
  let punctuation = 0;
  let wide = 0;
  const length = text.length;
  let i = 0;

  // Each branch consumes a whole run, so the common case (lowercase letters)
  // stays in a tight loop.
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code >= 128) {
      wide += 1;
      i += 1;
      continue;
    }
    const kind = ASCII_CLASS[code];
    const start = i;
    i += 1;
    if (kind === LETTER) {
      let lower = code >= 97;
      while (i < length) {
        const next = text.charCodeAt(i);
        if (next >= 97 && next <= 122) lower = true;
        else if (next >= 65 && next <= 90 && !lower) lower = false;
        else break; // not a letter, or a camelCase hump starts a new word
        i += 1;
      }
      words += Math.ceil((i - start) / LETTERS_PER_TOKEN);
    } else if (kind === DIGIT) {
      while (i < length && ASCII_CLASS[text.charCodeAt(i)] === DIGIT) i += 1;
      digitGroups += Math.ceil((i - start) / DIGITS_PER_TOKEN);
    } else if (kind === SPACE) {
      let lineBreak = code === 10 || code === 13;
      while (i < length) {
        const next = text.charCodeAt(i);
        if (next === 10 || next === 13) lineBreak = true;
        else if (next !== 32 && next !== 9) break;
        i += 1;
      }
      if (lineBreak) lineBreaks += 1;
    } else {
      punctuation += 1;
    }
  }
  return (
    SCALE *
    (words +
      DIGIT_GROUP_WEIGHT * digitGroups +
      PUNCTUATION_WEIGHT * punctuation +
      LINE_BREAK_WEIGHT * lineBreaks +
      WIDE_CHAR_WEIGHT * wide)
  );
}

export function estimateInputTokens(body: AnthropicRequest): number {
  if (!isRecord(body)) return 1;
  const counter = new Counter();

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
  private tokens = 0;
  overhead = 0;
  images = 0;

  text(value: string): void {
    if (value !== '') this.tokens += textTokenMemo.get(value, estimateTextTokens);
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

  total(): number {
    return this.tokens + this.overhead + this.images * IMAGE_TOKENS;
  }
}
