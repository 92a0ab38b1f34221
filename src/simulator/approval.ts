import { normalizeUserCode } from './ids.js';
import {
  accountFor,
  codeByUserCode,
  type DeviceCodeEntry,
  type IdentityInput,
  type SimAccount,
  type SimulatorState,
} from './state.js';

/** Who an approval logs in as when nobody says otherwise. */
export const DEFAULT_EMAIL = 'demo@example.com';

export type Decision =
  | { ok: true; entry: DeviceCodeEntry; account?: SimAccount }
  | { ok: false; reason: 'unknown' | 'expired' | 'decided'; message: string };

/**
 * What the person at the verification page (or a test through a control
 * route) decides about a user code. Only a pending, unexpired code can be
 * decided, and only once.
 */
export function decideUserCode(
  state: SimulatorState,
  typedCode: string,
  approve: boolean,
  identity: IdentityInput = {},
): Decision {
  const userCode = normalizeUserCode(typedCode);
  const entry = codeByUserCode(state, userCode);
  if (!entry) {
    return { ok: false, reason: 'unknown', message: `No login is waiting for code ${userCode}.` };
  }
  if (state.clock.now() >= entry.expiresAt) {
    return { ok: false, reason: 'expired', message: `Code ${userCode} has expired.` };
  }
  if (entry.status !== 'pending') {
    return {
      ok: false,
      reason: 'decided',
      message: `Code ${userCode} was already ${entry.status}.`,
    };
  }
  if (!approve) {
    entry.status = 'denied';
    return { ok: true, entry };
  }
  const anonymous = !identity.email?.trim() && !identity.phone?.trim() && !identity.apiKey;
  const account = accountFor(state, anonymous ? { email: DEFAULT_EMAIL } : identity);
  entry.status = 'approved';
  entry.accountId = account.id;
  return { ok: true, entry, account };
}
