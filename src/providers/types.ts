/**
 * A provider is data. Everything the proxy, login and launch do differently
 * per provider is an option here, never a branch on a provider id.
 */

export interface ModelDefinition {
  id: string;
  displayName?: string;
  /** Upper bound for `max_tokens` on this model. */
  maxOutputTokens: number;
  /** How "thinking" is switched on upstream; absent: the model has no knob. */
  thinking?: 'chat_template_kwargs';
  /** Send earlier thinking back as `reasoning_content` on assistant turns. */
  reasoningHistory?: boolean;
  vision?: boolean;
}

/** OAuth 2.0 Device Authorization Grant (RFC 8628) with a public client. */
export interface DeviceCodeAuth {
  kind: 'device-code';
  clientId: string;
  scope?: string;
  /**
   * OAuth/OIDC issuer whose metadata names the endpoints. When set and an
   * endpoint below is empty, `discoverEndpoints` fills it in before use.
   */
  issuer?: string;
  deviceAuthorizationEndpoint: string;
  tokenEndpoint: string;
  /** Where e-mail (and maybe the chat credential) come from after login. */
  userInfo?: {
    url: string;
    /**
     * `query-access-token`: GET url?accessToken=<token> (iFlow);
     * `bearer`: GET url with Authorization: Bearer <token> (OIDC userinfo).
     */
    style: 'query-access-token' | 'bearer';
    /** The answer is wrapped as `{ success, data }` (iFlow). */
    envelope?: 'success-data';
  };
  /** The credential sent to the chat API. */
  credential: { from: 'access_token' } | { from: 'userinfo'; field: string };
  /** Token endpoint failures may arrive as HTTP 200 `{ success: false }`. */
  successFalseIsError?: boolean;
}

export interface ApiKeyAuth {
  kind: 'api-key';
  /** `none`: a local server that takes no key (one implicit account). */
  key: 'required' | 'none';
}

export interface ProviderDefinition {
  id: string;
  displayName: string;
  /** Shown beside the provider in help and the TUI (e.g. a service closure). */
  notice?: string;
  auth: DeviceCodeAuth | ApiKeyAuth;
  /** Base of the OpenAI-compatible API, ending before `/chat/completions`. */
  apiUrl: string;
  /** Base the auth endpoints were derived from, for display and overrides. */
  authUrl?: string;
  /** Request signing scheme applied to every chat request. */
  signing: 'none' | 'iflow-hmac';
  /** Requests in flight per account; 0 means no limit. */
  maxConcurrentPerAccount: number;
  /** Recognise iFlow-style HTTP-200 error envelopes (`status` 449, 439, …). */
  errorEnvelopes: 'none' | 'iflow';
  models: ModelDefinition[];
  defaultModel: string;
  /** Upstream limits that translation must respect. */
  limits: { maxTools: number; toolNameMaxLength: number };
}

export function findModel(
  provider: ProviderDefinition,
  modelId: string,
): ModelDefinition | undefined {
  return provider.models.find((model) => model.id === modelId);
}
