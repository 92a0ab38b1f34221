import { readConfig, updateConfig } from '../config/config-file.js';
import type { CcsPaths } from '../home.js';
import { getLogger } from '../log.js';
import { PRESETS } from './presets.js';

/**
 * A preset becomes a provider of the user's own when they first log in to it:
 * `providers.<id>: {preset: <id>}` is added to config.yaml, so the TUI's home
 * and `ccs --help` list it and the user has an entry to tune (an `api_url`,
 * `models`, …) that keeps following the shipped preset for everything else.
 * Every other key of the file is kept. Returns whether the file changed.
 */
export async function adoptPreset(
  paths: CcsPaths,
  providerId: string,
  wait: { signal?: AbortSignal } = {},
): Promise<boolean> {
  if (!PRESETS[providerId]) return false;
  // Checked first: most logins find it there, and need neither the lock nor a write.
  if ((await readConfig(paths.configFile)).providers[providerId] !== undefined) return false;
  let added = false;
  await updateConfig(
    paths.configFile,
    (document) => {
      const providers = document.providers ?? {};
      if (providers[providerId] !== undefined) return;
      document.providers = { ...providers, [providerId]: { preset: providerId } };
      added = true;
    },
    wait,
  );
  if (added) getLogger().info('preset added to config.yaml', { provider: providerId });
  return added;
}
