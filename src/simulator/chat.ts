/**
 * The chat half of the iFlow simulator: `POST /v1/chat/completions`.
 *
 * It behaves like iFlow did: Bearer api key, signed requests (406 when the
 * signature headers are missing or wrong), one request in flight per account
 * (more get 429), HTTP-200 error envelopes, streams that may end without
 * `[DONE]`. Faults are armed per account with `POST /_sim/fault`:
 *
 *   chat_rate_limit        HTTP 429, `retry-after: data.retryAfterSec` (default 1)
 *   chat_449 | chat_439    HTTP 200 `{"status":"449"|"439","msg":…}` envelope
 *   chat_model_unsupported HTTP 200 `{"status":"435","msg":"Model not support"}`
 *   chat_http_error        HTTP `data.status` (default 500) with an error body
 *   chat_slow_first_byte   waits `data.ms` (default 1000) before answering
 *   chat_stall             a stream stalls `data.ms` (default 1000) after its first chunk
 *   chat_cut               a stream's socket is destroyed after `data.afterChunks` (default 2)
 *   chat_network_error     a stream ends with `finish_reason: "network_error"`
 *
 * Received requests are kept (the last 50) for tests: `chatRequests(state)`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { verifyIflowSignature } from '../proxy/signing.js';
import { type PlannedAnswer, pieces, planAnswer } from './chat-answer.js';
import { readJsonObject, sendJson } from './http.js';
import { count, type Fault, type SimAccount, type SimulatorState, takeFault } from './state.js';

export interface RecordedChatRequest {
  accountId: string | undefined;
  /** Header names and values, without `authorization`. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

interface ChatSide {
  requests: RecordedChatRequest[];
  inFlight: Map<string, number>;
}

const KEEP_REQUESTS = 50;
const sides = new WeakMap<SimulatorState, ChatSide>();

function sideOf(state: SimulatorState): ChatSide {
  let side = sides.get(state);
  if (!side) {
    side = { requests: [], inFlight: new Map() };
    sides.set(state, side);
  }
  return side;
}

/** The chat requests the simulator received, oldest first (at most the last 50). */
export function chatRequests(state: SimulatorState): RecordedChatRequest[] {
  return [...sideOf(state).requests];
}

function openAiError(res: ServerResponse, status: number, message: string, type: string): void {
  sendJson(res, status, { error: { message, type, code: status } });
}

function record(
  state: SimulatorState,
  req: IncomingMessage,
  account: SimAccount | undefined,
  body: Record<string, unknown>,
): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const list = sideOf(state).requests;
  list.push({ accountId: account?.id, headers, body });
  if (list.length > KEEP_REQUESTS) list.splice(0, list.length - KEEP_REQUESTS);
}

export async function handleChat(
  req: IncomingMessage,
  res: ServerResponse,
  state: SimulatorState,
): Promise<void> {
  count(state, 'chat');
  let body: Record<string, unknown>;
  try {
    body = await readJsonObject(req);
  } catch (error) {
    openAiError(res, 400, `Body is not JSON: ${(error as Error).message}`, 'invalid_request_error');
    return;
  }

  const apiKey = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  const account = apiKey ? state.accounts.get(apiKey) : undefined;
  record(state, req, account, body);
  if (!apiKey || !account) {
    openAiError(res, 401, 'Invalid API key.', 'authentication_error');
    return;
  }
  const signature = verifyIflowSignature(req.headers, apiKey);
  if (!signature.ok) {
    openAiError(
      res,
      406,
      `Request signature rejected (${signature.reason}).`,
      'invalid_request_error',
    );
    return;
  }

  const side = sideOf(state);
  if ((side.inFlight.get(account.id) ?? 0) >= 1) {
    openAiError(res, 429, 'Only one request in flight per account.', 'rate_limit_error');
    return;
  }
  side.inFlight.set(account.id, (side.inFlight.get(account.id) ?? 0) + 1);
  try {
    await answer(res, state, account, body);
  } finally {
    side.inFlight.set(account.id, (side.inFlight.get(account.id) ?? 1) - 1);
  }
}

function fault(state: SimulatorState, account: SimAccount, kind: string): Fault | undefined {
  return takeFault(state, kind, account);
}

function numberIn(found: Fault | undefined, key: string, fallback: number): number {
  const value = found?.data?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

async function answer(
  res: ServerResponse,
  state: SimulatorState,
  account: SimAccount,
  body: Record<string, unknown>,
): Promise<void> {
  const slow = fault(state, account, 'chat_slow_first_byte');
  if (slow) await delay(numberIn(slow, 'ms', 1000));

  const limited = fault(state, account, 'chat_rate_limit');
  if (limited) {
    res.setHeader('retry-after', String(numberIn(limited, 'retryAfterSec', 1)));
    openAiError(res, 429, 'Rate limit exceeded for this account.', 'rate_limit_error');
    return;
  }
  const httpError = fault(state, account, 'chat_http_error');
  if (httpError) {
    const status = numberIn(httpError, 'status', 500);
    openAiError(res, status, `Simulated upstream failure (HTTP ${status}).`, 'server_error');
    return;
  }
  if (fault(state, account, 'chat_449')) {
    sendJson(res, 200, { status: '449', msg: 'Rate limit exceeded, please try again later.' });
    return;
  }
  if (fault(state, account, 'chat_439')) {
    sendJson(res, 200, { status: '439', msg: 'Token has expired.' });
    return;
  }
  const model = typeof body.model === 'string' ? body.model : '';
  if (fault(state, account, 'chat_model_unsupported') || model === '') {
    sendJson(res, 200, { status: '435', msg: 'Model not support' });
    return;
  }

  const plan = planAnswer(body);
  if (body.stream === true) {
    await streamAnswer(res, state, account, body, plan);
    return;
  }
  sendJson(res, 200, {
    id: `chatcmpl-sim${state.counters.chat ?? 0}`,
    object: 'chat.completion',
    created: Math.floor(state.clock.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: plan.text,
          ...(plan.reasoning ? { reasoning_content: plan.reasoning } : {}),
          ...(plan.toolCalls.length > 0
            ? {
                tool_calls: plan.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        finish_reason: plan.finishReason,
      },
    ],
    usage: usageOf(body, plan),
  });
}

function usageOf(body: Record<string, unknown>, plan: PlannedAnswer) {
  const prompt = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  const out = `${plan.reasoning ?? ''}${plan.text}${plan.toolCalls.map((c) => c.arguments).join('')}`;
  const completion = Math.max(1, Math.ceil(out.length / 4));
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** The chunks of a streamed answer, in order, before faults are applied. */
function chunksOf(body: Record<string, unknown>, plan: PlannedAnswer, id: string): unknown[] {
  const model = body.model;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const out: unknown[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of pieces(plan.reasoning ?? '', 8)) {
    out.push(chunk({ reasoning_content: piece }));
  }
  for (const piece of pieces(plan.text, 6)) out.push(chunk({ content: piece }));
  plan.toolCalls.forEach((call, index) => {
    const args = call.arguments;
    const cut = Math.floor(args.length / 2);
    const head = {
      index,
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: '' },
    };
    // Odd-length arguments arrive partly before the id and name, as some upstreams send them.
    if (args.length % 2 === 1) {
      out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, cut) } }] }));
      out.push(chunk({ tool_calls: [head] }));
    } else {
      out.push(chunk({ tool_calls: [head] }));
      out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, cut) } }] }));
    }
    out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(cut) } }] }));
  });
  out.push(chunk({}, plan.finishReason));
  out.push({ id, object: 'chat.completion.chunk', model, choices: [], usage: usageOf(body, plan) });
  return out;
}

async function streamAnswer(
  res: ServerResponse,
  state: SimulatorState,
  account: SimAccount,
  body: Record<string, unknown>,
  plan: PlannedAnswer,
): Promise<void> {
  const stall = fault(state, account, 'chat_stall');
  const cut = fault(state, account, 'chat_cut');
  const networkError = fault(state, account, 'chat_network_error');
  const chunks = chunksOf(body, plan, `chatcmpl-sim${state.counters.chat ?? 0}`);
  if (networkError) {
    // The answer stops early: what was said so far, then the upstream's own failure.
    chunks.splice(2, chunks.length - 2, {
      choices: [{ index: 0, delta: {}, finish_reason: 'network_error' }],
    });
  }

  let gone = false;
  res.on('close', () => {
    gone = true;
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  const cutAfter = cut ? numberIn(cut, 'afterChunks', 2) : Number.POSITIVE_INFINITY;
  for (const [index, chunk] of chunks.entries()) {
    if (gone) return;
    if (index >= cutAfter) {
      res.socket?.destroy();
      return;
    }
    await writeSplit(res, `data: ${JSON.stringify(chunk)}\n\n`);
    if (index === 0 && stall) await delay(numberIn(stall, 'ms', 1000));
  }
  if (!networkError) res.write('data: [DONE]\n\n');
  res.end();
}

/**
 * Writes an SSE frame in two writes cut inside a multi-byte character when
 * there is one, so clients see UTF-8 split across TCP reads.
 */
function writeSplit(res: ServerResponse, frame: string): Promise<void> {
  const bytes = Buffer.from(frame, 'utf8');
  const wide = bytes.findIndex((byte) => byte >= 0xc0);
  // Waiting for each write to be flushed makes a later cut land mid-stream.
  const flushed = (part: Buffer) =>
    new Promise<void>((resolve) => {
      res.write(part, () => resolve());
    });
  if (wide < 0) return flushed(bytes);
  res.write(bytes.subarray(0, wide + 1));
  return flushed(bytes.subarray(wide + 1));
}
