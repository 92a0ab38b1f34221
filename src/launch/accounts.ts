import { type Account, listAccounts } from '../accounts/registry.js';
import { readTokenFile } from '../accounts/token-store.js';
import { type RefreshOutcome, refreshAccount } from '../auth/refresh.js';
import type { Clock } from '../clock.js';
import type { CcsPaths } from '../home.js';
import type { Logger } from '../log.js';
import type { ProviderDefinition } from '../providers/types.js';

export interface AccountCheck {
  /** Accounts the proxy can use now. */
  usable: Account[];
  /** Refused a refresh, or lost their token file: only a new login helps. */
  needsLogin: Account[];
  paused: Account[];
}

interface CheckAccountsOptions {
  now: number;
  /** Refreshes an account whose access token has already expired. */
  refresh?: (account: Account) => Promise<RefreshOutcome>;
  logger?: Logger;
}

/**
 * Sorts a provider's accounts before claude starts, so that an account that
 * needs login is found (and reported) now rather than in the middle of a run.
 * An expired token gets one refresh attempt; a refresh that merely failed
 * (network) leaves the account usable, the proxy tries again later.
 */
async function checkAccounts(
  paths: CcsPaths,
  providerId: string,
  options: CheckAccountsOptions,
): Promise<AccountCheck> {
  const check: AccountCheck = { usable: [], needsLogin: [], paused: [] };
  for (const account of await listAccounts(paths, providerId)) {
    if (account.paused) {
      check.paused.push(account);
      continue;
    }
    const tokens = await readTokenFile(account.tokenPath);
    if (!tokens || tokens.needs_login) {
      check.needsLogin.push(account);
      continue;
    }
    if (options.refresh && Date.parse(tokens.expired) <= options.now) {
      const outcome = await options.refresh(account);
      options.logger?.info(`pre-launch refresh of ${account.nickname}: ${outcome.type}`);
      if (outcome.type === 'needs-login') {
        check.needsLogin.push(account);
        continue;
      }
    }
    check.usable.push(account);
  }
  return check;
}

/** The one line printed before claude starts; empty when nothing to say. */
function needsLoginLine(providerId: string, accounts: readonly Account[]): string {
  if (accounts.length === 0) return '';
  const names = accounts.map((account) => account.nickname).join(', ');
  const what = accounts.length === 1 ? `account ${names} needs` : `accounts ${names} need`;
  return (
    `ccs: ${providerId} ${what} a new login (run \`ccs ${providerId} --auth\`); ` +
    'continuing with the others.'
  );
}

/** What `checkAccountsBeforeStart` needs of a command's context. */
export interface StartContext {
  paths: CcsPaths;
  clock: Clock;
  logger: Logger;
  stderr: NodeJS.WritableStream;
  /** Ctrl-C: a refresh in flight stops and the check throws CancelledError. */
  signal?: AbortSignal;
}

/**
 * The check `ccs <provider>` and `ccs <provider> --proxy` make before they
 * start: checkAccounts with one refresh for an expired token and, when some
 * account is usable, the needs-login line for the others on stderr. What to
 * do when none is usable differs between the two, so it is the caller's.
 */
export async function checkAccountsBeforeStart(
  ctx: StartContext,
  provider: ProviderDefinition,
): Promise<AccountCheck> {
  const check = await checkAccounts(ctx.paths, provider.id, {
    now: ctx.clock.now(),
    refresh: (account) =>
      refreshAccount({
        provider,
        paths: ctx.paths,
        account,
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      }),
    logger: ctx.logger,
  });
  if (check.usable.length > 0) {
    const line = needsLoginLine(provider.id, check.needsLogin);
    if (line) ctx.stderr.write(`${line}\n`);
  }
  return check;
}
