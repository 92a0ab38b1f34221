import { NICKNAME_PATTERN } from './schemas.js';

/** What user info says about who logged in. */
export interface Identity {
  email: string;
  /** Masked by the provider, e.g. `138****5678`. */
  phone?: string;
}

export function isValidNickname(name: string): boolean {
  return NICKNAME_PATTERN.test(name);
}

/** Makes `base` unique among `taken`: `john`, `john-2`, `john-3`, … */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, 32 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * The default nickname: the e-mail's local part, or `phone-<last four>` for
 * an account known only by a masked phone, reduced to the allowed characters.
 */
export function autoNickname(identity: Identity, taken: ReadonlySet<string>): string {
  let base: string;
  if (identity.email) {
    base = identity.email.split('@')[0] ?? identity.email;
  } else {
    const digits = (identity.phone ?? '').replace(/\D/g, '');
    base = `phone-${digits.slice(-4) || 'unknown'}`;
  }
  base = base.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 32) || 'account';
  return uniqueName(base, taken);
}

/** What a user sees in brackets: the e-mail, else the masked phone. */
export function identityLabel(identity: { email: string; phone?: string | undefined }): string {
  return identity.email || identity.phone || 'unknown';
}
