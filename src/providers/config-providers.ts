import * as z from 'zod';
import { CorruptFileError } from '../errors.js';
import { describeIssue } from '../fs/json-file.js';
import { httpUrl } from './endpoint-url.js';
import type { ModelDefinition, ProviderDefinition } from './types.js';

/** The id of a provider: also a command word, a file-name prefix and an env key part. */
export const PROVIDER_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const modelEntry = z.union([
  z.string().min(1),
  z.object({
    id: z.string().min(1),
    display_name: z.string().optional(),
    max_tokens: z.int().positive().optional(),
    thinking: z.enum(['chat_template_kwargs']).optional(),
    reasoning_history: z.boolean().optional(),
    vision: z.boolean().optional(),
  }),
]);

const common = {
  display_name: z.string().min(1).optional(),
  api_url: httpUrl,
  models: z.array(modelEntry).optional(),
  default_model: z.string().min(1).optional(),
  /** Requests in flight per account; 0 or absent: no limit. */
  max_concurrent: z.int().min(0).optional(),
  max_tools: z.int().positive().optional(),
  /** Request signing: `iflow-hmac` for an iFlow-compatible endpoint. */
  signing: z.enum(['none', 'iflow-hmac']).optional(),
  /** `iflow`: recognise HTTP-200 error envelopes (`{status: "449", msg}`). */
  error_envelopes: z.enum(['none', 'iflow']).optional(),
  /** Start from this shipped preset; the entry's own keys override it. */
  preset: z.string().optional(),
};

const deviceCodeEntry = z
  .object({
    kind: z.literal('device-code'),
    ...common,
    issuer: httpUrl.optional(),
    device_authorization_endpoint: httpUrl.optional(),
    token_endpoint: httpUrl.optional(),
    userinfo_endpoint: httpUrl.optional(),
    client_id: z.string().min(1),
    scope: z.string().optional(),
    credential: z
      .string()
      .regex(/^(access_token|userinfo:[A-Za-z0-9_.-]+)$/, 'use access_token or userinfo:<field>')
      .optional(),
    /** `bearer` (OIDC userinfo) or `query-access-token` (iFlow's getUserInfo). */
    userinfo_style: z.enum(['bearer', 'query-access-token']).optional(),
    /** `success-data`: the user-info answer is wrapped as `{success, data}` (iFlow). */
    userinfo_envelope: z.enum(['success-data']).optional(),
    /** The token endpoint may answer a failure as HTTP 200 `{success: false}` (iFlow). */
    token_errors_in_200: z.boolean().optional(),
  })
  .loose()
  .refine(
    (entry) => entry.issuer || (entry.device_authorization_endpoint && entry.token_endpoint),
    {
      message: 'needs `issuer`, or both `device_authorization_endpoint` and `token_endpoint`',
    },
  )
  .refine(
    // Without an issuer nothing can supply the endpoint later (discovery does otherwise).
    (entry) =>
      !entry.credential?.startsWith('userinfo:') || entry.issuer || entry.userinfo_endpoint,
    { message: 'credential: userinfo:<field> needs `userinfo_endpoint` (or an `issuer`)' },
  );

const apiKeyEntry = z
  .object({
    kind: z.literal('api-key'),
    ...common,
    /** `none` for a local server that takes no key. */
    api_key: z.literal('none').optional(),
  })
  .loose();

export const providerEntrySchema = z.discriminatedUnion('kind', [deviceCodeEntry, apiKeyEntry]);
export type ProviderEntry = z.input<typeof providerEntrySchema>;

const DEFAULT_MAX_OUTPUT = 8192;

function toModels(entry: z.output<typeof providerEntrySchema>): ModelDefinition[] {
  const models = (entry.models ?? []).map((model): ModelDefinition => {
    if (typeof model === 'string') return { id: model, maxOutputTokens: DEFAULT_MAX_OUTPUT };
    return {
      id: model.id,
      maxOutputTokens: model.max_tokens ?? DEFAULT_MAX_OUTPUT,
      ...(model.display_name ? { displayName: model.display_name } : {}),
      ...(model.thinking ? { thinking: model.thinking } : {}),
      ...(model.reasoning_history ? { reasoningHistory: true } : {}),
      ...(model.vision ? { vision: true } : {}),
    };
  });
  if (entry.default_model && !models.some((model) => model.id === entry.default_model)) {
    models.unshift({ id: entry.default_model, maxOutputTokens: DEFAULT_MAX_OUTPUT });
  }
  return models;
}

/**
 * Turns a `providers.<id>` entry of config.yaml into a definition. A
 * device-code entry with only an `issuer` gets its endpoints from discovery
 * (see discovery.ts) before it is used for login.
 */
export function definitionFromEntry(
  id: string,
  raw: unknown,
  configFile: string,
): ProviderDefinition {
  const parsed = providerEntrySchema.safeParse(raw);
  if (!parsed.success) {
    throw new CorruptFileError(configFile, `providers.${id}: ${describeIssue(parsed.error)}`);
  }
  const entry = parsed.data;
  const models = toModels(entry);
  const defaultModel = entry.default_model ?? models[0]?.id;
  if (!defaultModel) {
    throw new CorruptFileError(
      configFile,
      `providers.${id}: needs \`models\` or \`default_model\``,
    );
  }
  const base = {
    id,
    displayName: entry.display_name ?? id,
    apiUrl: entry.api_url.replace(/\/+$/, ''),
    signing: entry.signing ?? 'none',
    maxConcurrentPerAccount: entry.max_concurrent ?? 0,
    errorEnvelopes: entry.error_envelopes ?? 'none',
    models,
    defaultModel,
    limits: { maxTools: entry.max_tools ?? 128, toolNameMaxLength: 64 },
  };
  if (entry.kind === 'api-key') {
    return {
      ...base,
      auth: { kind: 'api-key', key: entry.api_key === 'none' ? 'none' : 'required' },
    };
  }
  const credential = entry.credential ?? 'access_token';
  return {
    ...base,
    ...(entry.issuer ? { authUrl: entry.issuer } : {}),
    auth: {
      kind: 'device-code',
      clientId: entry.client_id,
      ...(entry.scope ? { scope: entry.scope } : {}),
      ...(entry.issuer ? { issuer: entry.issuer } : {}),
      deviceAuthorizationEndpoint: entry.device_authorization_endpoint ?? '',
      tokenEndpoint: entry.token_endpoint ?? '',
      ...(entry.userinfo_endpoint
        ? {
            userInfo: {
              url: entry.userinfo_endpoint,
              style: entry.userinfo_style ?? 'bearer',
              ...(entry.userinfo_envelope ? { envelope: entry.userinfo_envelope } : {}),
            },
          }
        : {}),
      credential:
        credential === 'access_token'
          ? { from: 'access_token' }
          : { from: 'userinfo', field: credential.slice('userinfo:'.length) },
      ...(entry.token_errors_in_200 ? { successFalseIsError: true } : {}),
    },
  };
}
