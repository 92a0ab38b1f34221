import type { SettingsValues } from '../hooks/use-settings.js';
import type { RoutingStrategy } from '../src/config/config-file.js';
import { IFLOW_DEFAULT_API_URL } from '../src/providers/iflow.js';
import { PRESETS } from '../src/providers/presets.js';
import { findModel, type ProviderDefinition } from '../src/providers/types.js';

/** The env keys the editor shows as fields of their own. */
export const MODEL_KEYS = [
  ['ANTHROPIC_MODEL', 'Model'],
  ['ANTHROPIC_DEFAULT_OPUS_MODEL', 'Opus model'],
  ['ANTHROPIC_DEFAULT_SONNET_MODEL', 'Sonnet model'],
  ['ANTHROPIC_DEFAULT_HAIKU_MODEL', 'Haiku model'],
] as const;
export const MAX_TOKENS_KEY = 'ANTHROPIC_MAX_TOKENS';
const MANAGED = new Set<string>([...MODEL_KEYS.map(([key]) => key), MAX_TOKENS_KEY]);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One row of the editor; the cursor moves over these. */
export type SettingsRow =
  | { kind: 'model'; key: string; label: string }
  | { kind: 'max-tokens' }
  | { kind: 'endpoint' }
  | { kind: 'env'; name: string }
  | { kind: 'add-env' }
  | { kind: 'strategy' }
  | { kind: 'port' };

export function settingsRows(values: SettingsValues): SettingsRow[] {
  const extra = Object.keys(values.env)
    .filter((key) => !MANAGED.has(key))
    .sort();
  return [
    ...MODEL_KEYS.map(([key, label]) => ({ kind: 'model' as const, key, label })),
    { kind: 'max-tokens' },
    { kind: 'endpoint' },
    ...extra.map((name) => ({ kind: 'env' as const, name })),
    { kind: 'add-env' },
    { kind: 'strategy' },
    { kind: 'port' },
  ];
}

/** The largest max_tokens the chosen model takes. */
export function maxTokensLimit(provider: ProviderDefinition, env: Record<string, string>): number {
  const model = env.ANTHROPIC_MODEL || provider.defaultModel;
  const known = findModel(provider, model) ?? findModel(provider, provider.defaultModel);
  return known?.maxOutputTokens ?? 8192;
}

export function validateMaxTokens(text: string, limit: number): string | null {
  if (!/^[0-9]+$/.test(text)) return 'Enter a whole number.';
  const value = Number(text);
  if (value < 1 || value > limit) return `Enter a number from 1 to ${limit}.`;
  return null;
}

/**
 * The endpoint a provider falls back to when config.yaml sets none: iFlow's
 * built-in one or a preset's. A provider defined in config.yaml has none, so
 * its `api_url` cannot be cleared.
 */
export function defaultEndpoint(providerId: string): string | undefined {
  if (providerId === 'iflow') return IFLOW_DEFAULT_API_URL;
  return PRESETS[providerId]?.api_url;
}

/** An OpenAI-compatible base URL; empty means the default, where there is one. */
export function validateEndpoint(text: string, clearable: boolean): string | null {
  const value = text.trim();
  if (value === '') return clearable ? null : 'Enter the endpoint URL.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a URL such as https://api.example.com/v1.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'The URL must use http or https.';
  return null;
}

export function validatePort(text: string): string | null {
  if (!/^[0-9]+$/.test(text)) return 'Enter a port number.';
  const port = Number(text);
  return port >= 1 && port <= 65535 ? null : 'Enter a port from 1 to 65535.';
}

export function validateModelName(text: string): string | null {
  if (text.trim() === '') return 'Enter a model name.';
  return /\s/.test(text.trim()) ? 'A model name has no spaces.' : null;
}

/** `NAME=value` for an extra env entry; the name must be a variable name. */
export function parseEnvEntry(
  text: string,
  taken: readonly string[],
): { name: string; value: string } | string {
  const at = text.indexOf('=');
  if (at <= 0) return 'Write NAME=value.';
  const name = text.slice(0, at).trim();
  if (!ENV_NAME.test(name)) return `"${name}" is not a variable name.`;
  if (MANAGED.has(name)) return `${name} has its own field above.`;
  if (taken.includes(name)) return `${name} is already set.`;
  return { name, value: text.slice(at + 1) };
}

/** Every problem that would keep the values from being saved, first one first. */
export function validateValues(
  provider: ProviderDefinition,
  values: SettingsValues,
): string | null {
  const limit = maxTokensLimit(provider, values.env);
  const maxTokens = values.env[MAX_TOKENS_KEY];
  if (maxTokens !== undefined) {
    const problem = validateMaxTokens(maxTokens, limit);
    if (problem) return `Max tokens: ${problem}`;
  }
  if (values.apiUrl !== undefined) {
    const problem = validateEndpoint(values.apiUrl, defaultEndpoint(provider.id) !== undefined);
    if (problem) return `Endpoint: ${problem}`;
  }
  return validatePort(String(values.proxyPort));
}

export function nextStrategy(strategy: RoutingStrategy): RoutingStrategy {
  return strategy === 'fill-first' ? 'round-robin' : 'fill-first';
}

export function sameValues(a: SettingsValues, b: SettingsValues): boolean {
  return (
    a.strategy === b.strategy &&
    a.proxyPort === b.proxyPort &&
    a.apiUrl === b.apiUrl &&
    JSON.stringify(Object.entries(a.env).sort()) === JSON.stringify(Object.entries(b.env).sort())
  );
}
