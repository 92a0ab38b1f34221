import { type Account, recordApiKey } from '../accounts/registry.js';
import { type Clock, systemClock } from '../clock.js';
import { BugError, UserError } from '../errors.js';
import type { CcsPaths } from '../home.js';
import { getLogger } from '../log.js';
import { adoptPreset } from '../providers/adopt.js';
import type { ProviderDefinition } from '../providers/types.js';

export interface ApiKeyLoginOptions {
  provider: ProviderDefinition;
  paths: CcsPaths;
  /** As typed or piped; surrounding white space is dropped. */
  apiKey: string;
  nickname?: string;
  clock?: Clock;
  /** Cancels a wait for accounts.json's or config.yaml's lock. */
  signal?: AbortSignal;
}

/**
 * The api-key kind's login, shared by `ccs <id> --auth --api-key` and the
 * TUI's masked key field: stores the key as an account (its id a fingerprint
 * of the key, so the same key twice updates one account) and, for a preset,
 * adds the provider to config.yaml.
 */
export async function loginWithApiKey(
  options: ApiKeyLoginOptions,
): Promise<{ account: Account; created: boolean; addedToConfig: boolean }> {
  const { provider, paths } = options;
  if (provider.auth.kind !== 'api-key' || provider.auth.key === 'none') {
    throw new BugError(`loginWithApiKey: ${provider.id} takes no API key`);
  }
  const apiKey = options.apiKey.trim();
  if (!apiKey) {
    throw new UserError(
      'no_api_key',
      `No API key for ${provider.displayName} was given.`,
      `Paste the key, or pipe it in: \`ccs ${provider.id} --auth --api-key < key.txt\`.`,
    );
  }
  const clock = options.clock ?? systemClock;
  const result = await recordApiKey(paths, provider.id, {
    apiKey,
    ...(options.nickname !== undefined ? { nickname: options.nickname } : {}),
    now: new Date(clock.now()),
    signal: options.signal,
  });
  const addedToConfig = await adoptPreset(paths, provider.id, { signal: options.signal });
  getLogger().info('api key stored', { provider: provider.id, nickname: result.account.nickname });
  return { ...result, addedToConfig };
}
