import type { ServerResponse } from 'node:http';
import { CorruptFileError } from '../errors.js';
import type { PoolAccount } from './account-pool.js';
import type { Credential } from './accounts-source.js';
import { sendJson } from './http.js';
import type { MessagesDeps } from './messages.js';
import { relayStream } from './relay-stream.js';
import {
  type AnthropicRequest,
  type AnthropicUsage,
  classifyUpstream,
  detectEnvelopeError,
  estimateInputTokens,
  type TranslateContext,
  translateResponse,
  UpstreamError,
} from './translate/index.js';
import { callUpstream, headerValue, readUpstreamText, type UpstreamResponse } from './upstream.js';

/** How one upstream call on one account ended. */
export type Attempt =
  | { type: 'done'; usage: AnthropicUsage | undefined; error: string | undefined }
  | { type: 'failed'; error: UpstreamError }
  | { type: 'needs-login' }
  | { type: 'aborted' };

export interface AttemptInput {
  res: ServerResponse;
  payload: string;
  request: AnthropicRequest;
  ctx: TranslateContext;
  requestId: string;
  stream: boolean;
  sessionId: string | undefined;
  signal: AbortSignal;
  deps: MessagesDeps;
}

/** One upstream call on one account, up to the commit point or the answer. */
export async function attemptOn(account: PoolAccount, input: AttemptInput): Promise<Attempt> {
  const { deps, ctx, signal } = input;
  const { provider } = deps;
  let credential: Credential;
  try {
    credential = await deps.credentials.get(account);
  } catch (error) {
    if (!(error instanceof CorruptFileError)) throw error;
    // A damaged token file is left alone; the account is skipped until it is fixed.
    deps.logger.warn('skipping an account whose token file is not valid', {
      account: account.nickname,
      problem: error.message,
    });
    return { type: 'needs-login' };
  }
  if (credential.type === 'needs-login') return { type: 'needs-login' };

  let upstream: UpstreamResponse;
  try {
    const call = callUpstream(provider, {
      url: deps.chatUrl,
      apiKey: credential.apiKey,
      body: input.payload,
      stream: input.stream,
      sessionId: input.sessionId,
      now: deps.clock.now(),
      signal,
      dispatcher: deps.dispatcher,
    });
    if (ctx.estimatedInputTokens === undefined) {
      // The estimate is only needed once the answer starts: work it out
      // while the request is on its way instead of before sending it.
      call.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      ctx.estimatedInputTokens = estimateInputTokens(input.request);
    }
    upstream = await call;
  } catch (error) {
    if (signal.aborted) return { type: 'aborted' };
    if (error instanceof UpstreamError) return { type: 'failed', error };
    throw error;
  }

  try {
    if (upstream.statusCode < 200 || upstream.statusCode >= 300) {
      const text = await readUpstreamText(upstream.body, 1024 * 1024);
      const retryAfter = headerValue(upstream.headers['retry-after']);
      return {
        type: 'failed',
        error: classifyUpstream(upstream.statusCode, text, provider, {
          model: ctx.upstreamModel,
          retryAfter: retryAfter ?? null,
          now: deps.clock.now(),
        }),
      };
    }

    if (input.stream) {
      const outcome = await relayStream(upstream, input.res, {
        provider,
        ctx,
        requestId: input.requestId,
        pingIntervalMs: deps.pingIntervalMs,
        commitAfterMs: deps.commitAfterMs,
        signal,
      });
      if (outcome.type === 'committed') {
        return { type: 'done', usage: outcome.usage, error: outcome.error };
      }
      return outcome;
    }

    const text = await readUpstreamText(upstream.body);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return {
        type: 'failed',
        error: classifyUpstream(502, text, provider, { model: ctx.upstreamModel }),
      };
    }
    const envelope = detectEnvelopeError(json, provider, { model: ctx.upstreamModel });
    if (envelope) return { type: 'failed', error: envelope };
    const message = translateResponse(json, ctx);
    sendJson(input.res, input.requestId, 200, message);
    return { type: 'done', usage: message.usage, error: undefined };
  } catch (error) {
    upstream.body.destroy();
    if (signal.aborted) return { type: 'aborted' };
    if (error instanceof UpstreamError) return { type: 'failed', error };
    throw error;
  }
}
