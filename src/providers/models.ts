import * as z from 'zod';
import { getLogger } from '../log.js';
import type { ModelDefinition, ProviderDefinition } from './types.js';

/** The output limit of a model the definition does not describe. */
const UNKNOWN_MODEL_MAX_OUTPUT = 8192;
/** A provider that does not answer this fast falls back to its definition. */
export const MODELS_TIMEOUT_MS = 3000;

export interface ProviderModels {
  models: ModelDefinition[];
  /** `upstream`: `GET <api_url>/models` answered; `definition`: its list. */
  source: 'upstream' | 'definition';
  /** Why the upstream list was not used, for a hint in the UI or the log. */
  problem?: string;
  /** Nothing answered at all (refused, unknown host, timeout): chat will fail too. */
  unreachable?: boolean;
}

export interface ListModelsOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Ask again even if this process already has the provider's list. */
  reload?: boolean;
}

/** OpenAI's list shape; entries may carry more than the id. */
const modelList = z.object({
  data: z.array(z.object({ id: z.string().min(1) }).loose()),
});

/** Per process, by provider and endpoint: model lists change rarely. */
const cache = new Map<string, ModelDefinition[]>();
const inFlight = new Map<string, Promise<ProviderModels>>();

function cacheKey(provider: ProviderDefinition): string {
  return `${provider.id} ${provider.apiUrl}`;
}

/**
 * The upstream ids, in the upstream's order, each with what the definition
 * knows about it (output limit, thinking knob); unknown ones get a default.
 */
function merge(provider: ProviderDefinition, ids: readonly string[]): ModelDefinition[] {
  const seen = new Set<string>();
  const models: ModelDefinition[] = [];
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const known = provider.models.find((model) => model.id === id);
    models.push(known ?? { id, maxOutputTokens: UNKNOWN_MODEL_MAX_OUTPUT });
  }
  return models;
}

async function fetchModels(
  provider: ProviderDefinition,
  credential: string | undefined,
  options: ListModelsOptions,
): Promise<ProviderModels> {
  const url = `${provider.apiUrl}/models`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? MODELS_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const fallback = (problem: string, unreachable = false): ProviderModels => {
    getLogger().info('models: using the definition list', { provider: provider.id, problem });
    return {
      models: provider.models,
      source: 'definition',
      problem,
      ...(unreachable ? { unreachable } : {}),
    };
  };
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: {
        accept: 'application/json',
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      },
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      return fallback(`${url} answered HTTP ${response.status}`);
    }
    const parsed = modelList.safeParse(await response.json());
    if (!parsed.success || parsed.data.data.length === 0) {
      return fallback(`${url} did not answer a model list`);
    }
    const models = merge(
      provider,
      parsed.data.data.map((entry) => entry.id),
    );
    cache.set(cacheKey(provider), models);
    return { models, source: 'upstream' };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = timeout.aborted ? 'no answer in time' : describeFetchError(error);
    return fallback(`${url}: ${reason}`, true);
  }
}

function describeFetchError(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND') return 'host not found';
    if (code) return code;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The models a provider offers: its `GET <api_url>/models` (OpenAI's list
 * shape) when that answers within a short timeout, else the definition's
 * list. A successful answer is kept for the rest of the process; concurrent
 * callers share one request. `credential` is the chat credential (API key or
 * access token) sent as Bearer; a keyless server gets none. Never throws for
 * an unreachable or odd provider, only when `signal` aborts.
 */
export function listProviderModels(
  provider: ProviderDefinition,
  credential?: string,
  options: ListModelsOptions = {},
): Promise<ProviderModels> {
  const key = cacheKey(provider);
  const cached = options.reload ? undefined : cache.get(key);
  if (cached) return Promise.resolve({ models: cached, source: 'upstream' });
  const pending = inFlight.get(key);
  if (pending && !options.reload) return pending;
  const request = fetchModels(provider, credential, options).finally(() => {
    inFlight.delete(key);
  });
  inFlight.set(key, request);
  return request;
}

/** The list this process already fetched for the provider, without asking. */
export function cachedProviderModels(provider: ProviderDefinition): ModelDefinition[] | undefined {
  return cache.get(cacheKey(provider));
}

/** Forgets every fetched list (tests; a settings screen's explicit reload uses `reload`). */
export function clearModelCache(): void {
  cache.clear();
}
