import type { Account } from '../src/accounts/registry.js';
import type { TokenFile } from '../src/accounts/schemas.js';

/** Refreshes start a day ahead of expiry; inside that window we say so. */
export const EXPIRING_WITHIN_MS = 24 * 60 * 60 * 1000;

export type AccountState =
  | { kind: 'ok' }
  | { kind: 'expiring'; inMs: number }
  | { kind: 'needs-login' }
  | { kind: 'cooling'; untilMs: number }
  | { kind: 'paused' };

export interface AccountView {
  id: string;
  nickname: string;
  /** E-mail, else the masked phone. */
  label: string;
  isDefault: boolean;
  paused: boolean;
  state: AccountState;
}

/**
 * An account's state as the user should read it. Paused wins (the user chose
 * it), then a refused refresh, then a cooldown the proxy reported, then time.
 */
export function accountState(
  account: Pick<Account, 'paused'>,
  tokens: Pick<TokenFile, 'expired' | 'needs_login'> | undefined,
  now: number,
  coolingUntil?: number,
): AccountState {
  if (account.paused) return { kind: 'paused' };
  if (!tokens || tokens.needs_login) return { kind: 'needs-login' };
  // An access token past its time is not a dead account: the refresh token
  // renews it on the next use, so it shows as expiring, not as needs login.
  const expiresAt = Date.parse(tokens.expired);
  if (coolingUntil !== undefined && coolingUntil > now) {
    return { kind: 'cooling', untilMs: coolingUntil };
  }
  if (Number.isNaN(expiresAt) || expiresAt - now <= EXPIRING_WITHIN_MS) {
    return { kind: 'expiring', inMs: Number.isNaN(expiresAt) ? 0 : expiresAt - now };
  }
  return { kind: 'ok' };
}

/** "3h 5m", "12m", "40s": short enough for a list row. */
export function shortDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** The words a state is shown with. */
export function describeState(state: AccountState, now: number): string {
  switch (state.kind) {
    case 'ok':
      return 'ok';
    case 'expiring':
      return state.inMs > 0 ? `expires in ${shortDuration(state.inMs)}` : 'expired, renews on use';
    case 'needs-login':
      return 'needs login';
    case 'cooling':
      return `cooling ${shortDuration(state.untilMs - now)}`;
    case 'paused':
      return 'paused';
  }
}
