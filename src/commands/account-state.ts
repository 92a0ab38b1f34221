import { type Account, API_KEY_TOKEN_TYPE } from '../accounts/registry.js';
import type { TokenFile } from '../accounts/schemas.js';
import { readTokenFile } from '../accounts/token-store.js';

export type AccountState = 'ok' | 'expiring' | 'needs-login' | 'paused';

/** Below this much time left the account counts as `expiring`. */
export const EXPIRING_WITHIN_MS = 24 * 60 * 60 * 1000;

export interface AccountStatus {
  account: Account;
  state: AccountState;
  /**
   * The access token's expiry (RFC 3339); null without a token file, and for
   * an API key, which does not expire (its file says 9999-12-31 for the refresh loop).
   */
  expires: string | null;
  /** Stored by `--auth --api-key`: its `phone` is the key's fingerprint label, not a phone. */
  apiKey: boolean;
}

/**
 * One account's state from its registry entry and token file. Needing a
 * login outranks being paused: it is the one the user has to act on.
 */
export function accountState(
  account: Pick<Account, 'paused'>,
  tokens: TokenFile | undefined,
  now: number,
): AccountState {
  if (!tokens || tokens.needs_login) return 'needs-login';
  if (account.paused) return 'paused';
  if (Date.parse(tokens.expired) - now < EXPIRING_WITHIN_MS) return 'expiring';
  return 'ok';
}

/** Reads every account's token file; a corrupt one throws CorruptFileError naming it. */
export async function accountStatuses(
  accounts: readonly Account[],
  now: number,
): Promise<AccountStatus[]> {
  return Promise.all(
    accounts.map(async (account) => {
      const tokens = await readTokenFile(account.tokenPath);
      const apiKey = tokens?.token_type === API_KEY_TOKEN_TYPE;
      return {
        account,
        state: accountState(account, tokens, now),
        expires: apiKey ? null : (tokens?.expired ?? null),
        apiKey,
      };
    }),
  );
}
