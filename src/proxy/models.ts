import { cachedProviderModels } from '../providers/models.js';
import type { ProviderDefinition } from '../providers/types.js';

/** A fixed date: the provider definitions carry none, and the SDK requires one. */
const CREATED_AT = '2026-01-01T00:00:00Z';

/**
 * GET /v1/models: the provider's models in Anthropic's list shape (PROTOCOL
 * §1.6) — the list its own `GET /models` gave this process (the session warms
 * it at start, see src/launch/models-warmup.ts), else the definition's.
 */
export function modelsList(provider: ProviderDefinition) {
  const models = cachedProviderModels(provider) ?? provider.models;
  const data = models.map((model) => ({
    type: 'model' as const,
    id: model.id,
    display_name: model.displayName ?? model.id,
    created_at: CREATED_AT,
    max_input_tokens: null,
    max_tokens: model.maxOutputTokens,
    capabilities: null,
  }));
  return {
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
