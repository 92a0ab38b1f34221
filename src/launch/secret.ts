import { randomBytes } from 'node:crypto';

/**
 * A secret for a proxy: what claude (or another client) must present. 32
 * random bytes, so guessing it is hopeless; URL- and shell-safe characters.
 */
export function newSecret(): string {
  return `ccs-${randomBytes(32).toString('base64url')}`;
}
