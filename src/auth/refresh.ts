import { type Account, listAccounts } from '../accounts/registry.js';
import { readTokenFile } from '../accounts/token-store.js';
import { type Clock, systemClock } from '../clock.js';
import { describeError, UserError } from '../errors.js';
import type { CcsPaths } from '../home.js';
import { getLogger } from '../log.js';
import type { ProviderDefinition } from '../providers/types.js';
import { retryDelayMs } from './backoff.js';
import { type RefreshOutcome, refreshAccount, refreshDueAt } from './refresh-account.js';

export {
  credentialFor,
  type RefreshOptions,
  type RefreshOutcome,
  refreshAccount,
  refreshDueAt,
} from './refresh-account.js';

/** A change of an account's refresh state; a problem always says what it is. */
export type RefreshEvent = { accountId: string; nickname: string } & (
  | { type: 'refreshed' }
  /** `message`: one sentence with the command that repairs the account. */
  | { type: 'needs-login'; message: string }
  | { type: 'failed'; message: string }
);

export interface RefreshServiceOptions {
  provider: ProviderDefinition;
  paths: CcsPaths;
  clock?: Clock;
  fetch?: typeof fetch;
  onEvent?: (event: RefreshEvent) => void;
  /** How often accounts.json is re-read for new or changed accounts. */
  rescanMs?: number;
}

export interface RefreshService {
  start(): void;
  stop(): Promise<void>;
  refreshNow(accountId: string): Promise<RefreshOutcome>;
}

const RESCAN_MS = 5 * 60_000;
/** Failed refreshes back off from 30 s up to 30 min. */
const FAILURE_BASE_MS = 30_000;
const FAILURE_MAX_MS = 30 * 60_000;
/** Never refresh one account again sooner than this, whatever its lifetime says. */
const MIN_WAKE_MS = 1000;

type AccountState = 'ok' | 'failed' | 'needs-login';

/** Said once when an account can no longer be refreshed: why, and how to repair it. */
function needsLoginMessage(account: Account, reason?: string): string {
  const why = reason ? ` (${reason})` : '';
  return (
    `${account.nickname} needs to log in again${why}. Run ` +
    `\`ccs ${account.providerId} --auth --add\` and approve as the same user to repair it.`
  );
}

/**
 * Keeps every account of one provider refreshed ahead of expiry. Reports
 * each change of an account's state once through `onEvent` (a refresh, the
 * first failure after success, the need to log in again) and never prints:
 * whoever runs it decides what the user sees.
 */
export function createRefreshService(options: RefreshServiceOptions): RefreshService {
  const clock = options.clock ?? systemClock;
  const logger = getLogger();
  const states = new Map<string, AccountState>();
  const failures = new Map<string, number>();
  const retryAt = new Map<string, number>();
  const inFlight = new Map<string, Promise<RefreshOutcome>>();
  let controller: AbortController | undefined;
  let loop: Promise<void> | undefined;

  type Change = { type: 'refreshed' } | { type: 'needs-login' | 'failed'; message: string };
  const emit = (account: Account, change: Change) => {
    try {
      options.onEvent?.({ accountId: account.id, nickname: account.nickname, ...change });
    } catch (error) {
      logger.error('refresh: event listener threw', { error });
    }
  };

  const setState = (account: Account, next: 'failed' | 'needs-login', message: string) => {
    const previous = states.get(account.id) ?? 'ok';
    states.set(account.id, next);
    if (next !== previous) emit(account, { type: next, message });
  };

  const record = (account: Account, outcome: RefreshOutcome) => {
    switch (outcome.type) {
      case 'refreshed':
        failures.delete(account.id);
        retryAt.delete(account.id);
        states.set(account.id, 'ok');
        emit(account, { type: 'refreshed' });
        return;
      case 'fresh':
        failures.delete(account.id);
        retryAt.delete(account.id);
        states.set(account.id, 'ok');
        return;
      case 'needs-login':
        setState(account, 'needs-login', needsLoginMessage(account, outcome.reason));
        return;
      case 'failed': {
        const count = (failures.get(account.id) ?? 0) + 1;
        failures.set(account.id, count);
        retryAt.set(account.id, clock.now() + retryDelayMs(count, FAILURE_BASE_MS, FAILURE_MAX_MS));
        setState(account, 'failed', describeError(outcome.error));
        return;
      }
    }
  };

  const refreshOne = (account: Account, force: boolean): Promise<RefreshOutcome> => {
    const running = inFlight.get(account.id);
    if (running) return running;
    const promise = refreshAccount({
      provider: options.provider,
      paths: options.paths,
      account,
      clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      force,
    })
      .then((outcome) => {
        record(account, outcome);
        return outcome;
      })
      .finally(() => inFlight.delete(account.id));
    inFlight.set(account.id, promise);
    return promise;
  };

  /** One pass over the accounts; returns when the next pass is due. */
  const pass = async (): Promise<number> => {
    const now = clock.now();
    let wakeAt = now + (options.rescanMs ?? RESCAN_MS);
    const accounts = await listAccounts(options.paths, options.provider.id);
    for (const account of accounts) {
      if (account.paused || controller?.signal.aborted) continue;
      const retry = retryAt.get(account.id);
      if (retry !== undefined && now < retry) {
        wakeAt = Math.min(wakeAt, retry);
        continue;
      }
      const tokens = await readTokenFile(account.tokenPath).catch((error: unknown) => {
        setState(account, 'failed', describeError(error));
        return undefined;
      });
      if (!tokens) continue;
      if (tokens.needs_login) {
        setState(account, 'needs-login', needsLoginMessage(account));
        continue;
      }
      // A new login repaired it: a later refusal is news again.
      if (states.get(account.id) === 'needs-login') states.set(account.id, 'ok');
      const due = refreshDueAt(tokens);
      if (now < due) {
        wakeAt = Math.min(wakeAt, due);
        continue;
      }
      const outcome = await refreshOne(account, false);
      if (outcome.type === 'refreshed' || outcome.type === 'fresh') {
        // A token that is due again at once (a tiny lifetime) must not spin.
        const nextDue = Math.max(refreshDueAt(outcome.tokens), clock.now() + MIN_WAKE_MS);
        wakeAt = Math.min(wakeAt, nextDue);
      } else if (outcome.type === 'failed') {
        wakeAt = Math.min(wakeAt, retryAt.get(account.id) ?? wakeAt);
      }
    }
    return wakeAt;
  };

  const run = async (signal: AbortSignal) => {
    while (!signal.aborted) {
      let wakeAt: number;
      try {
        wakeAt = await pass();
      } catch (error) {
        logger.warn('refresh: could not read the accounts', { error });
        wakeAt = clock.now() + (options.rescanMs ?? RESCAN_MS);
      }
      try {
        await clock.sleep(Math.max(0, wakeAt - clock.now()), signal);
      } catch {
        return;
      }
    }
  };

  return {
    start() {
      if (loop || options.provider.auth.kind !== 'device-code') return;
      controller = new AbortController();
      loop = run(controller.signal);
    },
    async stop() {
      controller?.abort();
      await loop;
      loop = undefined;
      controller = undefined;
      await Promise.allSettled(inFlight.values());
    },
    async refreshNow(accountId) {
      let account: Account | undefined;
      try {
        const accounts = await listAccounts(options.paths, options.provider.id);
        account = accounts.find((a) => a.id === accountId);
      } catch (error) {
        return { type: 'failed', error: error as Error };
      }
      if (!account) {
        const error = new UserError(
          'unknown_account',
          `No ${options.provider.displayName} account ${accountId}.`,
        );
        return { type: 'failed', error };
      }
      return refreshOne(account, true);
    },
  };
}
