import * as z from 'zod';
import { UserError } from '../errors.js';

const PROBLEM = 'must be an http:// or https:// URL';

/**
 * An endpoint in config.yaml. `z.url()` alone takes `ftp://x` or `foo:bar`,
 * which would only fail later, after retries, as a network error.
 */
export const httpUrl = z.url({ protocol: /^https?$/, error: PROBLEM });

/** Long or odd values are shown cut, so the error stays one readable line. */
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/**
 * Checks an endpoint taken from the environment variable `name` and returns
 * it without trailing slashes. Throws a UserError naming the variable: a
 * typo here should stop ccs at once, not after seconds of connection retries.
 */
export function endpointFromEnv(name: string, value: string): string {
  if (!httpUrl.safeParse(value).success) {
    throw new UserError(
      'bad_endpoint_url',
      `The environment variable ${name}=${shown(value)} is not an http:// or https:// URL.`,
      'Set it to a full address such as https://api.example.com/v1, or unset it.',
    );
  }
  return value.replace(/\/+$/, '');
}
