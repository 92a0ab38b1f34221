import { listAccounts } from '../accounts/registry.js';
import { readTokenFile } from '../accounts/token-store.js';
import { credentialFor } from '../auth/refresh-account.js';
import type { CcsPaths } from '../home.js';
import {
  type ListModelsOptions,
  listProviderModels,
  type ProviderModels,
} from '../providers/models.js';
import type { ProviderDefinition } from '../providers/types.js';

/**
 * The chat credential of the account the proxy would try first (the default,
 * unless paused), or undefined for a keyless provider or without accounts.
 */
export async function firstCredential(
  provider: ProviderDefinition,
  paths: CcsPaths,
): Promise<string | undefined> {
  if (provider.auth.kind === 'api-key' && provider.auth.key === 'none') return undefined;
  const accounts = await listAccounts(paths, provider.id);
  for (const account of accounts) {
    if (account.paused) continue;
    const tokens = await readTokenFile(account.tokenPath).catch(() => undefined);
    const credential = tokens ? credentialFor(provider, tokens) : '';
    if (credential) return credential;
  }
  return undefined;
}

/**
 * Fetches the provider's model list into this process's cache, so the
 * proxy's `GET /v1/models` answers with it. Never throws: a provider that
 * does not answer keeps its definition's list (the problem is returned).
 */
export async function warmProviderModels(
  provider: ProviderDefinition,
  paths: CcsPaths,
  options: ListModelsOptions = {},
): Promise<ProviderModels> {
  try {
    return await listProviderModels(provider, await firstCredential(provider, paths), options);
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { models: provider.models, source: 'definition', problem };
  }
}
