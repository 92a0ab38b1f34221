import type { CcsConfig } from '../config/config-file.js';
import { CorruptFileError, UsageError } from '../errors.js';
import {
  definitionFromEntry,
  PROVIDER_ID_PATTERN,
  type ProviderEntry,
} from './config-providers.js';
import { endpointFromEnv } from './endpoint-url.js';
import { IFLOW_DEFAULT_API_URL, IFLOW_DEFAULT_AUTH_URL, iflowProvider } from './iflow.js';
import { PRESETS } from './presets.js';
import type { ProviderDefinition } from './types.js';

/** Providers built into ccs's code; every other one is data. */
export const BUILT_IN_PROVIDER_IDS = ['iflow'] as const;

/** Words that can never name a provider, because they are ccs commands. */
const RESERVED = new Set(['config', 'simulator', 'demo', 'help', 'version']);

type ConfigView = Pick<CcsConfig, 'providers'> & { file?: string };

/** The environment variable that overrides a provider's endpoint, e.g. `CCS_DEEPSEEK_API_URL`. */
export function envKey(providerId: string, what: 'AUTH' | 'API'): string {
  return `CCS_${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}_URL`;
}

/** The checked endpoint `CCS_<ID>_<what>_URL` sets, or undefined when it is unset or empty. */
function envEndpoint(
  providerId: string,
  what: 'AUTH' | 'API',
  env: NodeJS.ProcessEnv,
): string | undefined {
  const name = envKey(providerId, what);
  const value = env[name];
  return value ? endpointFromEnv(name, value) : undefined;
}

function withApiOverride(provider: ProviderDefinition, env: NodeJS.ProcessEnv): ProviderDefinition {
  const apiUrl = envEndpoint(provider.id, 'API', env);
  return apiUrl ? { ...provider, apiUrl } : provider;
}

/** Every provider id a user can name: built in, configured, then presets. */
export function knownProviderIds(config: ConfigView): string[] {
  const ids = new Set<string>(BUILT_IN_PROVIDER_IDS);
  for (const id of Object.keys(config.providers)) {
    if (PROVIDER_ID_PATTERN.test(id) && !RESERVED.has(id)) ids.add(id);
  }
  for (const id of Object.keys(PRESETS)) ids.add(id);
  return [...ids];
}

export function isProviderId(id: string, config: ConfigView = { providers: {} }): boolean {
  return knownProviderIds(config).includes(id);
}

/**
 * The preset a config.yaml entry starts from: the one its `preset` key names,
 * else the preset of the same id (a preset the user has adopted or tuned).
 */
function presetOf(
  id: string,
  raw: Record<string, unknown>,
  file: string,
): ProviderEntry | undefined {
  const named = raw.preset;
  if (named === undefined) return PRESETS[id];
  const preset = typeof named === 'string' ? PRESETS[named] : undefined;
  if (!preset) {
    throw new CorruptFileError(
      file,
      `providers.${id}.preset: "${String(named)}" is not a preset ` +
        `(presets: ${Object.keys(PRESETS).join(', ')})`,
    );
  }
  return preset;
}

/** Whether `id` is a shipped preset that config.yaml does not define yet. */
export function isUnadoptedPreset(id: string, config: ConfigView): boolean {
  return PRESETS[id] !== undefined && config.providers[id] === undefined;
}

/**
 * Resolves a provider with its endpoint overrides applied, in order of
 * precedence: environment (`CCS_<ID>_AUTH_URL`, `CCS_<ID>_API_URL`), then
 * `providers.<id>` in config.yaml, then the definition's defaults (iFlow's
 * built-in one, or a shipped preset).
 */
export function resolveProvider(
  id: string,
  config: ConfigView,
  env: NodeJS.ProcessEnv = process.env,
): ProviderDefinition {
  const overrides = config.providers[id];
  if (id === 'iflow') {
    const authUrl = envEndpoint(id, 'AUTH', env) || overrides?.authUrl || IFLOW_DEFAULT_AUTH_URL;
    const apiUrl = envEndpoint(id, 'API', env) || overrides?.apiUrl || IFLOW_DEFAULT_API_URL;
    return iflowProvider(authUrl, apiUrl);
  }
  const file = config.file ?? 'cliproxy/config.yaml';
  if (overrides && PROVIDER_ID_PATTERN.test(id) && !RESERVED.has(id)) {
    const entry = { ...presetOf(id, overrides.raw, file), ...overrides.raw };
    return withApiOverride(definitionFromEntry(id, entry, file), env);
  }
  const preset = PRESETS[id];
  if (preset) return withApiOverride(definitionFromEntry(id, preset, file), env);
  throw new UsageError(
    `Unknown provider "${id}". Known providers: ${knownProviderIds(config).join(', ')}.`,
  );
}
