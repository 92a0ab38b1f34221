import { useCallback, useEffect, useState } from 'react';
import {
  type ConfigDocument,
  type RoutingStrategy,
  readConfig,
  updateConfig,
} from '../src/config/config-file.js';
import { describeError } from '../src/errors.js';
import { type ProviderSettings, readSettings, writeSettings } from '../src/settings.js';
import { useServices } from './services.js';

/** Everything the settings editor edits, from two files. */
export interface SettingsValues {
  /** `<provider>.settings.json` env, model and max tokens included. */
  env: Record<string, string>;
  strategy: RoutingStrategy;
  proxyPort: number;
  /** `providers.<id>.api_url` in config.yaml; absent: the definition's endpoint. */
  apiUrl?: string;
}

/** Sets or removes `providers.<id>.api_url`, keeping every other key of the entry. */
export function withEndpoint(
  document: ConfigDocument,
  providerId: string,
  apiUrl: string | undefined,
): void {
  const providers = { ...document.providers };
  const entry = { ...providers[providerId] };
  if (apiUrl === undefined) delete entry.api_url;
  else entry.api_url = apiUrl;
  if (Object.keys(entry).length === 0) delete providers[providerId];
  else providers[providerId] = entry;
  if (Object.keys(providers).length === 0) delete document.providers;
  else document.providers = providers;
}

/**
 * Loads a provider's settings and config.yaml's managed keys, and saves them.
 * Saving writes the settings file first, then config.yaml under its lock,
 * each atomically; keys the editor does not manage are left as they were.
 */
export function useSettings(providerId: string) {
  const { paths } = useServices();
  const [values, setValues] = useState<SettingsValues | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([readSettings(paths, providerId), readConfig(paths.configFile)]).then(
      ([settings, config]) => {
        if (!live) return;
        setValues({
          env: settings.env,
          strategy: config.routingStrategy,
          proxyPort: config.proxyPort,
          ...(config.providers[providerId]?.apiUrl
            ? { apiUrl: config.providers[providerId].apiUrl }
            : {}),
        });
      },
      (failure: unknown) => live && setError(describeError(failure)),
    );
    return () => {
      live = false;
    };
  }, [paths, providerId]);

  const save = useCallback(
    async (next: SettingsValues): Promise<boolean> => {
      try {
        const settings: ProviderSettings = { env: next.env };
        await writeSettings(paths, providerId, settings);
        await updateConfig(paths.configFile, (document) => {
          document.routing = { ...document.routing, strategy: next.strategy };
          document.proxy = { ...document.proxy, port: next.proxyPort };
          // Only a changed endpoint is written: saving other settings must not
          // add an entry to config.yaml for a provider that had none.
          if (next.apiUrl !== values?.apiUrl) withEndpoint(document, providerId, next.apiUrl);
        });
        setValues(next);
        setError(null);
        return true;
      } catch (failure) {
        setError(describeError(failure));
        return false;
      }
    },
    [paths, providerId, values],
  );

  return { values, error, save };
}
