import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import * as z from 'zod';
import { CorruptFileError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { describeIssue } from '../fs/json-file.js';
import { withFileLock } from '../fs/lock.js';
import { httpUrl } from '../providers/endpoint-url.js';
import { editYaml } from './yaml-edit.js';

export const DEFAULT_PROXY_PORT = 8317;

const providerOverrides = z
  .object({
    auth_url: httpUrl.optional(),
    api_url: httpUrl.optional(),
  })
  .loose();

/** The keys ccs manages; any other key in the file is kept as it is. */
const configSchema = z
  .object({
    proxy: z
      .object({ port: z.int().min(1).max(65535).optional() })
      .loose()
      .optional(),
    routing: z
      .object({ strategy: z.enum(['fill-first', 'round-robin']).optional() })
      .loose()
      .optional(),
    providers: z.record(z.string(), providerOverrides).optional(),
  })
  .loose();

export type ConfigDocument = z.output<typeof configSchema>;
export type RoutingStrategy = 'fill-first' | 'round-robin';

export interface CcsConfig {
  proxyPort: number;
  routingStrategy: RoutingStrategy;
  providers: Record<string, { authUrl?: string; apiUrl?: string; raw: Record<string, unknown> }>;
  /** The whole document, unknown keys included. */
  document: ConfigDocument;
}

function toConfig(document: ConfigDocument): CcsConfig {
  const providers: CcsConfig['providers'] = {};
  for (const [id, entry] of Object.entries(document.providers ?? {})) {
    providers[id] = {
      ...(entry.auth_url ? { authUrl: entry.auth_url } : {}),
      ...(entry.api_url ? { apiUrl: entry.api_url } : {}),
      raw: entry,
    };
  }
  return {
    proxyPort: document.proxy?.port ?? DEFAULT_PROXY_PORT,
    routingStrategy: document.routing?.strategy ?? 'fill-first',
    providers,
    document,
  };
}

async function readDocument(file: string): Promise<ConfigDocument> {
  return (await readText(file)).document;
}

async function readText(file: string): Promise<{ text: string; document: ConfigDocument }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', document: {} };
    throw error;
  }
  return { text, document: parseDocumentText(file, text) };
}

function parseDocumentText(file: string, text: string): ConfigDocument {
  let raw: unknown;
  try {
    raw = yaml.load(text, { filename: file });
  } catch (error) {
    throw new CorruptFileError(file, `not YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (raw === undefined || raw === null) return {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new CorruptFileError(file, describeIssue(parsed.error));
  return parsed.data;
}

/** Reads `cliproxy/config.yaml`; a missing file means all defaults. */
export async function readConfig(file: string): Promise<CcsConfig> {
  return toConfig(await readDocument(file));
}

/**
 * Changes the managed keys under a lock and rewrites the file atomically.
 * Only what the mutator changed is rewritten: every other key, and the
 * user's comments and layout, stay as they were (see editYaml).
 */
export async function updateConfig(
  file: string,
  mutate: (document: ConfigDocument) => void,
  wait: { signal?: AbortSignal } = {},
): Promise<CcsConfig> {
  return withFileLock(
    file,
    async () => {
      const { text, document: before } = await readText(file);
      const document = structuredClone(before);
      mutate(document);
      const checked = configSchema.safeParse(document);
      if (!checked.success) {
        throw new CorruptFileError(file, `refusing to write ${describeIssue(checked.error)}`);
      }
      await writeFileAtomic(file, await editYaml(text, before, checked.data), { mode: 0o600 });
      return toConfig(checked.data);
    },
    wait,
  );
}
