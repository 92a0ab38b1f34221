import { findModel, type ProviderDefinition } from '../providers/types.js';

/** The env part of `<provider>.settings.json` (CLI's ProviderSettings). */
export interface ProxySettings {
  env: Record<string, string>;
}

export interface ModelChoice {
  /** The name the client sent; echoed in `message_start.model`. */
  clientModel: string;
  /** The provider's id the request goes upstream with. */
  upstreamModel: string;
  maxTokens: number;
}

const FAMILIES = [
  ['opus', 'ANTHROPIC_DEFAULT_OPUS_MODEL'],
  ['sonnet', 'ANTHROPIC_DEFAULT_SONNET_MODEL'],
  ['haiku', 'ANTHROPIC_DEFAULT_HAIKU_MODEL'],
] as const;

/** Fallback when neither the request nor the settings name a usable number. */
const DEFAULT_MAX_TOKENS = 8192;

function settingOf(settings: ProxySettings, key: string): string | undefined {
  const value = settings.env[key]?.trim();
  return value ? value : undefined;
}

/**
 * Maps the model a client asked for to a provider model id. A session's
 * `claude` already sends provider ids; a client of the standalone proxy may
 * send Anthropic names, which go to the family's configured model. A trailing
 * `[1m]` (Claude Code's context-size suffix) is ignored.
 */
export function resolveUpstreamModel(
  provider: ProviderDefinition,
  settings: ProxySettings,
  requested: string,
): string {
  const name = requested.replace(/\[1m\]$/i, '').trim();
  if (findModel(provider, name)) return name;

  const main = settingOf(settings, 'ANTHROPIC_MODEL') ?? provider.defaultModel;
  const lower = name.toLowerCase();
  for (const [family, key] of FAMILIES) {
    if (lower.includes(family)) return settingOf(settings, key) ?? main;
  }
  return main;
}

/**
 * The smaller of the model's limit in the provider definition and the
 * settings' ANTHROPIC_MAX_TOKENS; the client's own value when it is smaller.
 */
export function clampMaxTokens(
  provider: ProviderDefinition,
  settings: ProxySettings,
  upstreamModel: string,
  requested: unknown,
): number {
  const limits: number[] = [];
  const modelLimit = findModel(provider, upstreamModel)?.maxOutputTokens;
  if (modelLimit) limits.push(modelLimit);
  const fromSettings = Number.parseInt(settingOf(settings, 'ANTHROPIC_MAX_TOKENS') ?? '', 10);
  if (Number.isFinite(fromSettings) && fromSettings > 0) limits.push(fromSettings);

  const cap = limits.length > 0 ? Math.min(...limits) : DEFAULT_MAX_TOKENS;
  if (typeof requested === 'number' && Number.isFinite(requested) && requested >= 1) {
    return Math.min(Math.floor(requested), cap);
  }
  return cap;
}

export function chooseModel(
  provider: ProviderDefinition,
  settings: ProxySettings,
  body: { model?: unknown; max_tokens?: unknown },
): ModelChoice {
  const clientModel = typeof body.model === 'string' ? body.model : '';
  const upstreamModel = resolveUpstreamModel(provider, settings, clientModel);
  return {
    clientModel: clientModel || upstreamModel,
    upstreamModel,
    maxTokens: clampMaxTokens(provider, settings, upstreamModel, body.max_tokens),
  };
}
