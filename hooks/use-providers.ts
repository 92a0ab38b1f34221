import { useEffect, useState } from 'react';
import { describeError } from '../src/errors.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { useServices } from './services.js';

/** The providers the app shows, loaded once when the app opens. */
export function useProviders() {
  const services = useServices();
  const [providers, setProviders] = useState<ProviderDefinition[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    services.loadProviders().then(
      (list) => live && setProviders(list),
      (failure: unknown) => live && setError(describeError(failure)),
    );
    return () => {
      live = false;
    };
  }, [services]);

  return { providers, error };
}
