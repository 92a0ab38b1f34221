import type { ProviderDefinition } from '../src/providers/types.js';

/** How a user gets an account on a provider; the login screen and home branch on this. */
export type LoginKind = 'device-code' | 'api-key' | 'keyless';

export function loginKind(provider: ProviderDefinition): LoginKind {
  if (provider.auth.kind === 'device-code') return 'device-code';
  return provider.auth.key === 'none' ? 'keyless' : 'api-key';
}

/** The one implicit account of a provider that takes no key (the proxy's name for it). */
export const KEYLESS_ACCOUNT = 'local';
