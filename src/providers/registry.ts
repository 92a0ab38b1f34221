import type { CcsConfig } from '../config/config-file.js';
import { UsageError } from '../errors.js';
import { IFLOW_DEFAULT_API_URL, IFLOW_DEFAULT_AUTH_URL, iflowProvider } from './iflow.js';
import type { ProviderDefinition } from './types.js';

/** Ids of the providers ccs knows; the providers issue adds data-defined ones. */
export const BUILT_IN_PROVIDER_IDS = ['iflow'] as const;

function envKey(providerId: string, what: 'AUTH' | 'API'): string {
  return `CCS_${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}_URL`;
}

/**
 * Resolves a provider with its endpoint overrides applied, in order of
 * precedence: environment (`CCS_<ID>_AUTH_URL`, `CCS_<ID>_API_URL`), then
 * `providers.<id>` in config.yaml, then the definition's defaults.
 */
export function resolveProvider(
  id: string,
  config: Pick<CcsConfig, 'providers'>,
  env: NodeJS.ProcessEnv = process.env,
): ProviderDefinition {
  const overrides = config.providers[id];
  if (id === 'iflow') {
    const authUrl = env[envKey(id, 'AUTH')] || overrides?.authUrl || IFLOW_DEFAULT_AUTH_URL;
    const apiUrl = env[envKey(id, 'API')] || overrides?.apiUrl || IFLOW_DEFAULT_API_URL;
    return iflowProvider(authUrl, apiUrl);
  }
  throw new UsageError(
    `Unknown provider "${id}". Known providers: ${BUILT_IN_PROVIDER_IDS.join(', ')}.`,
  );
}

export function isProviderId(id: string): boolean {
  return (BUILT_IN_PROVIDER_IDS as readonly string[]).includes(id);
}
