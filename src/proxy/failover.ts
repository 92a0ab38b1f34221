import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AccountsExhaustedError,
  FORBIDDEN_COOLDOWN_MS,
  type Lease,
  type PoolAccount,
  SERVER_ERROR_COOLDOWN_MS,
} from './account-pool.js';
import { type Attempt, attemptOn } from './attempt.js';
import type { MessagesDeps } from './messages.js';
import type { RequestSummary } from './stats.js';
import type { AnthropicRequest, TranslateContext, UpstreamError } from './translate/index.js';
import { upstreamSessionId } from './upstream.js';

/**
 * Tries accounts until an answer is committed to the client, following the
 * failover rules: 429/449 cool the account and move on; 401/439 refresh once
 * and retry the same account, then mark it as needing login; 403 cools it for
 * 30 min; 5xx and connection errors get one retry elsewhere; anything else
 * (400, an unknown model) goes back to the client as it is.
 */
export async function failover(
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
  /** Accounts whose refresh could not be done (auth server unreachable): not a refusal. */
  const refreshFailed = new Set<string>();
  let serverRetryUsed = false;
  let lastError: UpstreamError | undefined;
  const stream = summary.stream;
  const sessionId = upstreamSessionId(req.headers['x-claude-code-session-id']);
  // The same for every attempt: only the account changes.
  const call = { res, payload, request, ctx, requestId, stream, sessionId, signal, deps };

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
      attempt = await attemptOn(account, call);
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
        if (outcome.type === 'failed') {
          refreshFailed.add(account.id);
          break;
        }
        deps.credentials.forget(account);
        attempt = await attemptOn(account, call);
      }
    } finally {
      lease.release();
    }

    if (attempt.type === 'done') {
      pool.succeeded(account.id);
      deps.touch(account);
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
        if (refreshFailed.has(account.id)) {
          // The token could not be refreshed just now; try this account again later.
          pool.coolDown(account.id, SERVER_ERROR_COOLDOWN_MS, 'refresh failed');
          failedOver(account, 'refresh failed, cooling 1 min');
          continue;
        }
        // Refused again after a refresh: the user must log in again.
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
        pool.coolDown(account.id, SERVER_ERROR_COOLDOWN_MS, error.kind, error.message);
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
