import { expect } from 'vitest';
import { iflowProvider } from '../../src/providers/iflow.js';
import type { SseEvent, TranslateContext } from '../../src/proxy/translate/index.js';

export function ctxFor(overrides: Partial<TranslateContext> = {}): TranslateContext {
  return {
    provider: iflowProvider('http://127.0.0.1:1', 'http://127.0.0.1:1/v1'),
    clientModel: 'claude-sonnet-4-5',
    upstreamModel: 'qwen3-coder-plus',
    maxTokens: 8192,
    estimatedInputTokens: 123,
    ...overrides,
  };
}

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed by seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function intBelow(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

export interface AssembledBlock {
  type: 'text' | 'thinking' | 'tool_use';
  text: string;
  signature: string;
  id: string;
  name: string;
  json: string;
}

export interface Assembled {
  blocks: AssembledBlock[];
  stopReason: string | undefined;
  usage: Record<string, unknown> | undefined;
  error: { type: string; message: string } | undefined;
  model: string;
  startUsage: Record<string, unknown>;
}

/**
 * Replays events the way Claude Code's accumulator does and asserts the
 * grammar on the way: one message_start first, blocks opened in index order
 * one at a time, deltas only into the open block and of its type, thinking
 * signed before its stop, one message_delta and one message_stop last — or
 * an `error` event last with no message_stop.
 */
export function assemble(events: SseEvent[]): Assembled {
  const blocks: AssembledBlock[] = [];
  let open: AssembledBlock | undefined;
  let openIndex = -1;
  let result: Assembled | undefined;
  let stopReason: string | undefined;
  let usage: Record<string, unknown> | undefined;
  let sawDelta = false;
  let signed = false;

  const first = events[0];
  expect(first?.type, 'first event').toBe('message_start');
  if (first?.type !== 'message_start') throw new Error('unreachable');

  events.forEach((event, position) => {
    const where = `event ${position} (${event.type})`;
    if (position > 0) expect(event.type, where).not.toBe('message_start');
    switch (event.type) {
      case 'message_start':
      case 'ping':
        break;
      case 'content_block_start': {
        expect(open, `${where}: a block is already open`).toBeUndefined();
        expect(sawDelta, `${where}: after message_delta`).toBe(false);
        expect(event.index, where).toBe(blocks.length);
        const cb = event.content_block;
        open = {
          type: cb.type,
          text: '',
          signature: '',
          id: cb.type === 'tool_use' ? cb.id : '',
          name: cb.type === 'tool_use' ? cb.name : '',
          json: '',
        };
        if (cb.type === 'thinking')
          expect(cb).toEqual({ type: 'thinking', thinking: '', signature: '' });
        if (cb.type === 'tool_use') {
          expect(cb.input).toEqual({});
          expect(cb.id).toMatch(/^[a-zA-Z0-9_-]+$/);
        }
        openIndex = event.index;
        signed = false;
        blocks.push(open);
        break;
      }
      case 'content_block_delta': {
        expect(open, `${where}: no open block`).toBeDefined();
        expect(event.index, where).toBe(openIndex);
        const block = open as AssembledBlock;
        const d = event.delta;
        if (d.type === 'text_delta') {
          expect(block.type, where).toBe('text');
          block.text += d.text;
        } else if (d.type === 'thinking_delta') {
          expect(block.type, where).toBe('thinking');
          expect(signed, `${where}: thinking after signature`).toBe(false);
          block.text += d.thinking;
        } else if (d.type === 'signature_delta') {
          expect(block.type, where).toBe('thinking');
          expect(d.signature.length).toBeGreaterThan(0);
          block.signature += d.signature;
          signed = true;
        } else {
          expect(block.type, where).toBe('tool_use');
          block.json += d.partial_json;
        }
        break;
      }
      case 'content_block_stop': {
        expect(open, `${where}: nothing open`).toBeDefined();
        expect(event.index, where).toBe(openIndex);
        if (open?.type === 'thinking') expect(signed, `${where}: unsigned thinking`).toBe(true);
        open = undefined;
        break;
      }
      case 'message_delta':
        expect(open, `${where}: block still open`).toBeUndefined();
        expect(sawDelta, `${where}: second message_delta`).toBe(false);
        expect(typeof event.usage.output_tokens).toBe('number');
        sawDelta = true;
        stopReason = event.delta.stop_reason;
        usage = event.usage as unknown as Record<string, unknown>;
        break;
      case 'message_stop':
        expect(sawDelta, `${where}: message_stop without message_delta`).toBe(true);
        expect(position, `${where}: events after message_stop`).toBe(events.length - 1);
        break;
      case 'error':
        expect(position, `${where}: events after error`).toBe(events.length - 1);
        result = {
          blocks,
          stopReason: undefined,
          usage: undefined,
          error: event.error,
          model: first.message.model,
          startUsage: first.message.usage as unknown as Record<string, unknown>,
        };
        break;
    }
  });
  if (result) return result;

  expect(events.at(-1)?.type, 'last event').toBe('message_stop');
  return {
    blocks,
    stopReason,
    usage,
    error: undefined,
    model: first.message.model,
    startUsage: first.message.usage as unknown as Record<string, unknown>,
  };
}

/** A text chunk, a reasoning chunk, a tool-call chunk, a finish chunk. */
export const chunk = {
  text: (content: string) => ({ choices: [{ index: 0, delta: { content } }] }),
  reasoning: (reasoning_content: string) => ({
    choices: [{ index: 0, delta: { reasoning_content } }],
  }),
  tool: (call: Record<string, unknown>) => ({
    choices: [{ index: 0, delta: { tool_calls: [call] } }],
  }),
  finish: (finish_reason: string, usage?: Record<string, unknown>) => ({
    choices: [{ index: 0, delta: {}, finish_reason }],
    ...(usage ? { usage } : {}),
  }),
  usage: (usage: Record<string, unknown>) => ({ choices: [], usage }),
};
