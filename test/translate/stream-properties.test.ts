/**
 * Property-style tests with a seeded PRNG (no new dependency): random valid
 * OpenAI streams — text, reasoning, parallel tool calls that interleave, send
 * arguments before their id and name, or none at all — cut into random
 * chunkings, must always translate into a well-formed Anthropic event
 * sequence that carries exactly the input's content.
 */
import { describe, expect, it } from 'vitest';
import { createSseParser } from '../../src/proxy/sse/parser.js';
import {
  createStreamTranslator,
  encodeSse,
  type SseEvent,
} from '../../src/proxy/translate/index.js';
import { assemble, ctxFor, intBelow, prng } from './helpers.js';

type Random = () => number;

interface IntendedTool {
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** Send no arguments at all (a zero-argument call). */
  bare: boolean;
}

interface Script {
  /** Deltas in order, each becoming (part of) one chunk. */
  deltas: Array<Record<string, unknown>>;
  text: string;
  reasoning: string;
  tools: IntendedTool[];
}

const ALPHABET = ['a', 'b', ' ', 'é', '北', '🎉', '\n', '"', '\\', '{', '}', "'"];

function randomText(random: Random, max: number): string {
  let out = '';
  const length = 1 + intBelow(random, max);
  for (let i = 0; i < length; i += 1) out += ALPHABET[intBelow(random, ALPHABET.length)];
  return out;
}

function randomValue(random: Random, depth: number): unknown {
  switch (intBelow(random, depth > 1 ? 4 : 6)) {
    case 0:
      return randomText(random, 12);
    case 1:
      return intBelow(random, 1000) - 500;
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return Array.from({ length: intBelow(random, 3) }, () => randomValue(random, depth + 1));
    default:
      return randomObject(random, depth + 1);
  }
}

function randomObject(random: Random, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = intBelow(random, 4);
  for (let i = 0; i < keys; i += 1)
    out[`k${i}_${randomText(random, 3)}`] = randomValue(random, depth);
  return out;
}

/** Cuts a string into 1..n random pieces (by UTF-16 unit; JSON text is fine). */
function pieces(random: Random, text: string): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  let i = 0;
  while (i < chars.length) {
    const take = 1 + intBelow(random, Math.max(1, Math.ceil(chars.length / 2)));
    out.push(chars.slice(i, i + take).join(''));
    i += take;
  }
  return out;
}

function toolDeltas(random: Random, tool: IntendedTool, index: number) {
  const deltas: Array<Record<string, unknown>> = [];
  const args = tool.bare ? [] : pieces(random, JSON.stringify(tool.input));
  const early = tool.bare ? 0 : intBelow(random, Math.min(2, args.length) + 1);
  for (const piece of args.slice(0, early)) {
    deltas.push({ index, function: { arguments: piece } });
  }
  const header: Record<string, unknown> = {
    index,
    id: tool.id,
    type: 'function',
    function: { name: tool.name, ...(early === 0 && random() < 0.5 ? { arguments: '' } : {}) },
  };
  // Sometimes the id and the name arrive in separate chunks.
  if (random() < 0.3) {
    deltas.push({ index, function: { name: tool.name } });
    deltas.push({ index, id: tool.id });
  } else {
    deltas.push(header);
  }
  for (const piece of args.slice(early)) deltas.push({ index, function: { arguments: piece } });
  return deltas;
}

function randomScript(random: Random): Script {
  const script: Script = { deltas: [], text: '', reasoning: '', tools: [] };
  const segments = intBelow(random, 6);
  let toolIndex = 0;
  for (let s = 0; s < segments; s += 1) {
    const kind = intBelow(random, 3);
    if (kind === 0) {
      const text = randomText(random, 20);
      script.text += text;
      for (const piece of pieces(random, text)) script.deltas.push({ content: piece });
    } else if (kind === 1) {
      const text = randomText(random, 20);
      script.reasoning += text;
      for (const piece of pieces(random, text)) script.deltas.push({ reasoning_content: piece });
    } else {
      const count = 1 + intBelow(random, 3);
      const perTool: Array<Array<Record<string, unknown>>> = [];
      for (let t = 0; t < count; t += 1) {
        const tool: IntendedTool = {
          id: `call_${toolIndex}_${intBelow(random, 1e6)}`,
          name: `Tool${intBelow(random, 5)}`,
          input: randomObject(random),
          bare: random() < 0.15,
        };
        if (tool.bare) tool.input = {};
        script.tools.push(tool);
        perTool.push(toolDeltas(random, tool, toolIndex));
        toolIndex += 1;
      }
      // Interleave (keeping each call's own order) or send one after another.
      const interleave = random() < 0.5;
      while (perTool.some((list) => list.length > 0)) {
        const live = perTool.filter((list) => list.length > 0);
        const list = interleave
          ? (live[intBelow(random, live.length)] as (typeof live)[0])
          : (live[0] as (typeof live)[0]);
        script.deltas.push({ tool_calls: [list.shift()] });
      }
    }
  }
  return script;
}

/** Groups deltas into chunks; tool-call deltas may share one chunk. */
function toChunks(random: Random, script: Script): unknown[] {
  const chunks: Array<Record<string, unknown>> = [];
  for (const delta of script.deltas) {
    const last = chunks.at(-1) as
      | { choices: Array<{ delta: Record<string, unknown> }> }
      | undefined;
    const lastDelta = last?.choices[0]?.delta;
    if (delta.tool_calls && Array.isArray(lastDelta?.tool_calls) && random() < 0.3) {
      (lastDelta.tool_calls as unknown[]).push(...(delta.tool_calls as unknown[]));
      continue;
    }
    chunks.push({ id: 'chatcmpl-x', choices: [{ index: 0, delta: { ...delta } }] });
  }
  const reason = script.tools.length > 0 ? (random() < 0.8 ? 'tool_calls' : 'stop') : 'stop';
  const usage = { prompt_tokens: 42, completion_tokens: 9 };
  const withUsage = random() < 0.5;
  const last = chunks.at(-1) as { choices: Array<Record<string, unknown>> } | undefined;
  if (last && random() < 0.3) {
    (last.choices[0] as Record<string, unknown>).finish_reason = reason;
  } else {
    chunks.push({ choices: [{ index: 0, delta: {}, finish_reason: reason }] });
  }
  if (withUsage) chunks.push({ choices: [], usage });
  return chunks;
}

function translate(chunks: unknown[]): SseEvent[] {
  const translator = createStreamTranslator(ctxFor());
  const events = [...translator.start()];
  for (const c of chunks) events.push(...translator.push(c));
  // A keep-alive ping may come at any point; put one where [DONE] arrives.
  events.push(translator.ping(), ...translator.finish());
  return events;
}

describe('stream translation invariants (seeded random streams)', () => {
  it('grammar holds and content is carried exactly, for 600 random streams', () => {
    const random = prng(7);
    for (let round = 0; round < 600; round += 1) {
      const script = randomScript(random);
      const chunks = toChunks(random, script);
      const events = translate(chunks);
      const context = `round ${round}: ${JSON.stringify(chunks).slice(0, 2000)}`;

      const message = assemble(events);
      expect(message.error, context).toBeUndefined();
      const texts = message.blocks.filter((b) => b.type === 'text').map((b) => b.text);
      const thoughts = message.blocks.filter((b) => b.type === 'thinking').map((b) => b.text);
      expect(texts.join(''), context).toBe(script.text);
      expect(thoughts.join(''), context).toBe(script.reasoning);
      expect(
        texts.every((t) => t !== ''),
        context,
      ).toBe(true);

      const tools = message.blocks.filter((b) => b.type === 'tool_use');
      expect(tools.map((t) => t.id).sort(), context).toEqual(script.tools.map((t) => t.id).sort());
      for (const intended of script.tools) {
        const block = tools.find((t) => t.id === intended.id);
        expect(block?.name, context).toBe(intended.name);
        expect(JSON.parse(block?.json || '{}'), context).toEqual(intended.input);
      }
      expect(message.stopReason, context).toBe(script.tools.length > 0 ? 'tool_use' : 'end_turn');
    }
  });

  it('the same stream through SSE bytes, split anywhere, gives the same events', () => {
    const random = prng(99);
    for (let round = 0; round < 120; round += 1) {
      const chunks = toChunks(random, randomScript(random));
      const eol = ['\n', '\r\n'][intBelow(random, 2)] as string;
      const wire = new TextEncoder().encode(
        `${chunks.map((c) => `data: ${JSON.stringify(c)}${eol}${eol}`).join(`: keep-alive${eol}${eol}`)}data: [DONE]${eol}${eol}`,
      );
      const reference = strip(translate(chunks));
      for (let split = 0; split < 5; split += 1) {
        const parser = createSseParser();
        const translator = createStreamTranslator(ctxFor());
        const events = [...translator.start()];
        let from = 0;
        const cuts = Array.from({ length: 1 + intBelow(random, 20) }, () =>
          intBelow(random, wire.length),
        ).sort((a, b) => a - b);
        const messages = [];
        for (const cut of [...cuts, wire.length]) {
          messages.push(...parser.feed(wire.subarray(from, cut)));
          from = cut;
        }
        messages.push(...parser.end());
        for (const m of messages) {
          if (m.done) events.push(translator.ping(), ...translator.finish());
          else events.push(...translator.push(JSON.parse(m.data)));
        }
        expect(strip(events), `round ${round}`).toEqual(reference);
      }
    }
  });

  it('the grammar checker itself rejects broken sequences', () => {
    const start = createStreamTranslator(ctxFor()).start();
    const text = (index: number): SseEvent => ({
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '' },
    });
    const end: SseEvent[] = [
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: {
          input_tokens: 1,
          output_tokens: 1,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
      { type: 'message_stop' },
    ];
    const broken: SseEvent[][] = [
      [...start, text(0), text(1), ...end],
      [
        ...start,
        text(0),
        { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'x' } },
        { type: 'content_block_stop', index: 0 },
        ...end,
      ],
      [...start, { type: 'content_block_stop', index: 0 }, ...end],
      [...start, ...end, ...end],
      [...start, ...start, ...end],
      [
        ...start,
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        },
        { type: 'content_block_stop', index: 0 },
        ...end,
      ],
      end,
    ];
    for (const events of broken) expect(() => assemble(events)).toThrow();
  });
});

/** Events without the per-stream random parts (message id, signature digests are stable). */
function strip(events: SseEvent[]): unknown[] {
  return events.map((event) =>
    event.type === 'message_start'
      ? { ...event, message: { ...event.message, id: 'msg' } }
      : encodeSse(event),
  );
}
