import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ProviderDefinition } from '../providers/types.js';
import {
  type AccountPool,
  AccountsExhaustedError,
  FORBIDDEN_COOLDOWN_MS,
  type Lease,
  type PoolAccount,
  SERVER_ERROR_COOLDOWN_MS,
} from './account-pool.js';
import type { CredentialStore } from './accounts-source.js';
import { ProxyHttpError, sendError, sendJson } from './http.js';
import { chooseModel, type ProxySettings } from './model-map.js';
import { relayStream } from './relay-stream.js';
import type { ProxyStatsRecorder, RequestSummary } from './stats.js';
import {
  type AnthropicRequest,
  type AnthropicUsage,
  classifyUpstream,
  detectEnvelopeError,
  estimateInputTokens,
  type TranslateContext,
  translateRequest,
  translateResponse,
  UpstreamError,
} from './translate/index.js';
import {
  callUpstream,
  headerValue,
  readUpstreamText,
  type UpstreamResponse,
  upstreamSessionId,
} from './upstream.js';

/** What a refresh reports (AUTH's RefreshOutcome, contract #3). */
export interface RefreshResult {
  type: 'refreshed' | 'fresh' | 'needs-login' | 'failed';
}

export interface MessagesDeps {
  provider: ProviderDefinition;
  settings: ProxySettings;
  pool: AccountPool;
  credentials: CredentialStore;
  dispatcher: Dispatcher;
  chatUrl: string;
  clock: Clock;
  logger: Logger;
  stats: ProxyStatsRecorder;
  pingIntervalMs: number;
  commitAfterMs: number;
  /** Upstream retry-after values passed on to the client are capped here. */
  retryAfterCapSec: number;
  refresh: (accountId: string) => Promise<RefreshResult>;
  /** Notes that an account answered (its `lastUsedAt`), throttled by the caller. */
  touch: (account: PoolAccount) => void;
  /** Token-file versions of accounts when they were marked as needing login. */
  loginMarks: Map<string, string>;
}

type Attempt =
  | { type: 'done'; usage: AnthropicUsage | undefined; error: string | undefined }
  | { type: 'failed'; error: UpstreamError }
  | { type: 'needs-login' }
  | { type: 'aborted' };

/**
 * POST /v1/messages: translate, pick an account, call upstream, and fail over
 * between accounts until an answer is committed to the client.
 */
export async function handleMessages(
  req: IncomingMessage,
  res: ServerResponse,
  body: Record<string, unknown>,
  requestId: string,
  deps: MessagesDeps,
): Promise<void> {
  const started = performance.now();
  const { provider } = deps;
  const choice = chooseModel(provider, deps.settings, body);
  const request = body as AnthropicRequest;
  const ctx: TranslateContext = {
    provider,
    clientModel: choice.clientModel,
    upstreamModel: choice.upstreamModel,
    maxTokens: choice.maxTokens,
    stripAttribution: true,
    // Estimated while the first upstream call is under way (see attemptOn).
    estimatedInputTokens: undefined,
  };
  const summary: RequestSummary = {
    requestId,
    route: 'messages',
    model: choice.clientModel,
    upstreamModel: choice.upstreamModel,
    account: undefined,
    status: 200,
    stream: request.stream === true,
    durationMs: 0,
    inputTokens: 0,
    outputTokens: 0,
    failovers: 0,
    error: undefined,
  };

  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });

  try {
    if (!Array.isArray(request.messages)) {
      throw new ProxyHttpError(400, 'invalid_request_error', '`messages` must be an array.');
    }
    let payload: string;
    try {
      payload = JSON.stringify(translateRequest(request, ctx));
    } catch (error) {
      throw new ProxyHttpError(
        400,
        'invalid_request_error',
        `The request could not be translated: ${(error as Error).message}`,
      );
    }
    const outcome = await failover(
      req,
      res,
      { payload, request },
      ctx,
      requestId,
      summary,
      abort.signal,
      deps,
    );
    if (outcome.type === 'done') {
      summary.inputTokens =
        (outcome.usage?.input_tokens ?? 0) + (outcome.usage?.cache_read_input_tokens ?? 0);
      summary.outputTokens = outcome.usage?.output_tokens ?? 0;
      summary.error = outcome.error;
    } else if (outcome.type === 'aborted') {
      summary.status = 499;
      summary.error = 'client_closed';
    }
  } catch (error) {
    const failure = toHttpError(error, deps.retryAfterCapSec);
    if (!(error instanceof ProxyHttpError) && !(error instanceof UpstreamError)) {
      deps.logger.error('proxy internal error', { requestId, error });
    }
    summary.status = failure.status;
    summary.error = failure.errorType;
    if (!abort.signal.aborted) sendError(res, requestId, failure);
  } finally {
    summary.durationMs = Math.round(performance.now() - started);
    deps.stats.emit({ type: 'request', summary });
    deps.logger.info('proxy request', { ...summary });
  }
}

async function failover(
  req: IncomingMessage,
  res: ServerResponse,
  { payload, request }: { payload: string; request: AnthropicRequest },
  ctx: TranslateContext,
  requestId: string,
  summary: RequestSummary,
  signal: AbortSignal,
  deps: MessagesDeps,
): Promise<Attempt> {
  const { pool } = deps;
  const exclude = new Set<string>();
  const refreshed = new Set<string>();
  let serverRetryUsed = false;
  let lastError: UpstreamError | undefined;
  const stream = summary.stream;
  const sessionId = upstreamSessionId(req.headers['x-claude-code-session-id']);

  const failedOver = (account: PoolAccount, reason: string) => {
    summary.failovers += 1;
    deps.stats.emit({ type: 'failover', requestId, from: account.nickname, reason });
    deps.logger.debug('failover', { requestId, account: account.nickname, reason });
  };

  const needsLogin = async (account: PoolAccount, reason: string) => {
    const credential = await deps.credentials.get(account).catch(() => undefined);
    deps.loginMarks.set(account.id, credential?.version ?? 'unknown');
    pool.markNeedsLogin(account.id);
    failedOver(account, reason);
  };

  await reviveLoggedIn(deps);
  for (;;) {
    let lease: Lease;
    try {
      lease = await pool.acquire(exclude, signal);
    } catch (error) {
      if (signal.aborted) return { type: 'aborted' };
      if (error instanceof AccountsExhaustedError && lastError) throw lastError;
      throw error;
    }
    const account = lease.account;
    summary.account = account.nickname;

    let attempt: Attempt;
    try {
      attempt = await attemptOn(account, {
        res,
        payload,
        request,
        ctx,
        requestId,
        stream,
        sessionId,
        signal,
        deps,
      });
      // 401/439: refresh once and retry on the same account.
      while (
        attempt.type === 'failed' &&
        attempt.error.kind === 'auth' &&
        !refreshed.has(account.id)
      ) {
        refreshed.add(account.id);
        const outcome = await deps.refresh(account.id).catch(() => ({ type: 'failed' as const }));
        deps.logger.debug('refresh after upstream auth error', {
          requestId,
          account: account.nickname,
          outcome: outcome.type,
        });
        if (outcome.type === 'needs-login') {
          attempt = { type: 'needs-login' };
          break;
        }
        if (outcome.type === 'failed') break;
        deps.credentials.forget(account);
        attempt = await attemptOn(account, {
          res,
          payload,
          request,
          ctx,
          requestId,
          stream,
          sessionId,
          signal,
          deps,
        });
      }
    } finally {
      lease.release();
    }

    if (attempt.type === 'done') {
      pool.succeeded(account.id);
      deps.touch(account);
      if (attempt.error) summary.status = 200;
      return attempt;
    }
    if (attempt.type === 'aborted') return attempt;
    if (attempt.type === 'needs-login') {
      await needsLogin(account, 'needs login');
      continue;
    }

    const error = attempt.error;
    lastError = error;
    switch (error.kind) {
      case 'rate_limit': {
        const ms = pool.rateLimited(account.id, error.retryAfterMs);
        failedOver(account, `rate limited, cooling ${Math.ceil(ms / 1000)} s`);
        continue;
      }
      case 'auth':
        // Refused again after a refresh (or the refresh failed): log in again.
        await needsLogin(account, 'credentials refused after refresh');
        continue;
      case 'forbidden':
        if (error.status === 402 || error.status === 403) {
          pool.coolDown(account.id, FORBIDDEN_COOLDOWN_MS, 'access refused');
          failedOver(account, 'access refused, cooling 30 min');
          continue;
        }
        throw error;
      case 'server':
      case 'overloaded':
      case 'timeout':
      case 'network':
        pool.coolDown(account.id, SERVER_ERROR_COOLDOWN_MS, error.kind);
        if (serverRetryUsed) throw error;
        serverRetryUsed = true;
        exclude.add(account.id);
        failedOver(account, `${error.kind} error, cooling 1 min`);
        continue;
      default:
        // Invalid requests and unknown models fail the same way on every account.
        throw error;
    }
  }
}

/**
 * An account marked as needing login comes back once its token file changed
 * and holds a usable credential (the user logged in again, maybe elsewhere).
 */
async function reviveLoggedIn(deps: MessagesDeps): Promise<void> {
  for (const account of deps.pool.needingLogin()) {
    const credential = await deps.credentials.get(account).catch(() => undefined);
    if (credential?.type !== 'ok') continue;
    if (credential.version === deps.loginMarks.get(account.id)) continue;
    deps.loginMarks.delete(account.id);
    deps.pool.clearNeedsLogin(account.id);
  }
}

interface AttemptInput {
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
async function attemptOn(account: PoolAccount, input: AttemptInput): Promise<Attempt> {
  const { deps, ctx, signal } = input;
  const { provider } = deps;
  const credential = await deps.credentials.get(account);
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

/** Any failure as the Anthropic error the client gets. */
export function toHttpError(error: unknown, retryAfterCapSec: number): ProxyHttpError {
  if (error instanceof ProxyHttpError) return error;
  if (error instanceof UpstreamError) {
    const retryAfterSec =
      error.retryAfterMs !== undefined
        ? Math.min(retryAfterCapSec, Math.max(1, Math.ceil(error.retryAfterMs / 1000)))
        : error.kind === 'rate_limit'
          ? 1
          : undefined;
    return new ProxyHttpError(error.status, error.anthropicType, error.message, retryAfterSec);
  }
  return new ProxyHttpError(
    500,
    'api_error',
    'ccs hit an internal error while handling this request; see logs/ccs.log.',
  );
}
