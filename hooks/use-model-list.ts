import { useEffect, useState } from 'react';
import type { ModelDefinition, ProviderDefinition } from '../src/providers/types.js';
import { useServices } from './services.js';

/**
 * The models to offer for a provider: its definition's list at once, then
 * the provider's own list (`GET /models`) when the services can ask for it
 * and it answers. A failure keeps the definition's list; it is only logged.
 */
export function useModelList(provider: ProviderDefinition): readonly ModelDefinition[] {
  const services = useServices();
  const [models, setModels] = useState<readonly ModelDefinition[]>(provider.models);

  useEffect(() => {
    setModels(provider.models);
    if (!services.listModels) return;
    const abort = new AbortController();
    services.listModels(provider, abort.signal).then(
      (list) => {
        if (!abort.signal.aborted && list.length > 0) setModels(list);
      },
      (failure: unknown) => {
        if (abort.signal.aborted) return;
        services.logger.warn('model list unavailable', {
          provider: provider.id,
          error: String(failure),
        });
      },
    );
    return () => abort.abort();
  }, [services, provider]);

  return models;
}
