import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../src/errors.js';
import { type ListedProvider, useServices } from './services.js';

/**
 * The providers the app shows, loaded when the app opens and again on
 * `reload` (a saved endpoint, a preset that became a provider on login).
 */
export function useProviders() {
  const services = useServices();
  const [providers, setProviders] = useState<ListedProvider[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation re-reads the list
  useEffect(() => {
    let live = true;
    services.loadProviders().then(
      (list) => {
        if (!live) return;
        setProviders(list);
        setError(null);
      },
      (failure: unknown) => live && setError(describeError(failure)),
    );
    return () => {
      live = false;
    };
  }, [services, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { providers, error, reload };
}
