import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ProviderDefinition } from '../providers/types.js';
import type { AccountPool, PoolAccount } from './account-pool.js';
import type { CredentialStore } from './accounts-source.js';
import { failover } from './failover.js';
import { ProxyHttpError, sendError } from './http.js';
import { chooseModel, type ProxySettings } from './model-map.js';
import type { ProxyStatsRecorder, RequestSummary } from './stats.js';
import {
  type AnthropicRequest,
  type TranslateContext,
  translateRequest,
  UpstreamError,
} from './translate/index.js';
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
      // 499: the client went away (claude cancelled); not an error of ours or upstream's.
      summary.status = 499;
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

/** Any failure as the Anthropic error the client gets. */
export function toHttpError(error: unknown, retryAfterCapSec: number): ProxyHttpError {
  if (error instanceof ProxyHttpError) {
    // "All accounts cooling" may be 30 min away; Claude Code would wait that long
    // without a word, so it asks again after the cap (the message says when).
    const wait = error.retryAfterSec;
    if (wait === undefined || wait <= retryAfterCapSec) return error;
    return new ProxyHttpError(error.status, error.errorType, error.message, retryAfterCapSec);
  }
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
