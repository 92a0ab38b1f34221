import * as z from 'zod';
import { UserError } from './errors.js';
import { readJsonFile, writeJsonFile } from './fs/json-file.js';
import { withFileLock } from './fs/lock.js';
import type { CcsPaths } from './home.js';
import { resolveProvider } from './providers/registry.js';
import { findModel, type ProviderDefinition } from './providers/types.js';

/** `<provider>.settings.json`: the env claude gets on top of the inherited one. */
export interface ProviderSettings {
  env: Record<string, string>;
}

/** What a new iflow.settings.json holds (issue 2). */
export const DEFAULT_SETTINGS: ProviderSettings = {
  env: { ANTHROPIC_MODEL: 'qwen3-coder-plus', ANTHROPIC_MAX_TOKENS: '8192' },
};

/**
 * What a new settings file holds for a provider: its default model and that
 * model's output limit from the definition.
 */
export function defaultSettingsFor(provider: ProviderDefinition): ProviderSettings {
  if (provider.id === 'iflow') return structuredClone(DEFAULT_SETTINGS);
  const model = findModel(provider, provider.defaultModel);
  return {
    env: {
      ANTHROPIC_MODEL: provider.defaultModel,
      ...(model ? { ANTHROPIC_MAX_TOKENS: String(model.maxOutputTokens) } : {}),
    },
  };
}

/**
 * The defaults of a built-in provider or preset, without reading config.yaml.
 * A provider known only from config.yaml starts empty here; `readSettings`
 * without explicit defaults reads config.yaml and does better.
 */
export function defaultSettings(providerId: string): ProviderSettings {
  if (providerId === 'iflow') return structuredClone(DEFAULT_SETTINGS);
  try {
    return defaultSettingsFor(resolveProvider(providerId, { providers: {} }, {}));
  } catch {
    return { env: {} };
  }
}

/** The defaults for `providerId` as config.yaml defines it (presets tuned there included). */
async function configuredDefaults(paths: CcsPaths, providerId: string): Promise<ProviderSettings> {
  if (providerId === 'iflow') return structuredClone(DEFAULT_SETTINGS);
  const { readConfig } = await import('./config/config-file.js');
  try {
    const config = await readConfig(paths.configFile);
    return defaultSettingsFor(
      resolveProvider(providerId, { ...config, file: paths.configFile }, {}),
    );
  } catch {
    // A broken config.yaml is reported by whatever resolves the provider;
    // the settings file still gets what is known without it.
    return defaultSettings(providerId);
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const settingsSchema = z
  .object({
    env: z.record(z.string(), z.string()).superRefine((env, ctx) => {
      for (const name of Object.keys(env)) {
        if (!ENV_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `"${name}" is not an environment variable name`,
          });
        }
      }
      const max = env.ANTHROPIC_MAX_TOKENS;
      if (max !== undefined && !/^[1-9][0-9]*$/.test(max)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ANTHROPIC_MAX_TOKENS'],
          message: `must be a whole number above 0, not "${max}"`,
        });
      }
    }),
  })
  // Keys ccs does not know are kept: a later version, or the user, may use them.
  .loose();

type SettingsDocument = z.output<typeof settingsSchema>;

/**
 * Reads a provider's settings, creating the file with the defaults on first
 * use. A file that fails validation throws CorruptFileError and is left as it
 * is. Our own JSON helpers rather than `conf`: conf reads and writes
 * synchronously without a cross-process lock and validates with JSON Schema,
 * while every other file here goes through zod, the lock and writeFileAtomic.
 */
export async function readSettings(
  paths: CcsPaths,
  providerId: string,
  defaults?: ProviderSettings,
  wait: { signal?: AbortSignal } = {},
): Promise<ProviderSettings> {
  const file = paths.settingsFile(providerId);
  const existing = await readJsonFile(file, settingsSchema);
  if (existing) return { env: { ...existing.env } };

  return withFileLock(
    file,
    async () => {
      // Another process may have created it while we waited for the lock.
      const raced = await readJsonFile(file, settingsSchema);
      if (raced) return { env: { ...raced.env } };
      const created = structuredClone(defaults ?? (await configuredDefaults(paths, providerId)));
      await writeJsonFile(file, created, 0o600);
      return created;
    },
    wait,
  );
}

/**
 * Replaces the `env` of a provider's settings atomically, keeping any other
 * top-level key of the file. Invalid settings are refused before the file is
 * touched.
 */
export async function writeSettings(
  paths: CcsPaths,
  providerId: string,
  settings: ProviderSettings,
): Promise<void> {
  const file = paths.settingsFile(providerId);
  const checked = settingsSchema.safeParse(settings);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape';
    throw new UserError('bad_settings', `Settings not saved to ${file}: ${where}.`);
  }
  await withFileLock(file, async () => {
    const current: SettingsDocument = (await readJsonFile(file, settingsSchema)) ?? { env: {} };
    await writeJsonFile(file, { ...current, env: { ...checked.data.env } }, 0o600);
  });
}
