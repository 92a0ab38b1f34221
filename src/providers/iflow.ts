import type { ModelDefinition, ProviderDefinition } from './types.js';

export const IFLOW_DEFAULT_AUTH_URL = 'https://iflow.cn';
export const IFLOW_DEFAULT_API_URL = 'https://apis.iflow.cn/v1';
export const IFLOW_CLIENT_ID = '10009311001';

const THINKING: Pick<ModelDefinition, 'thinking' | 'reasoningHistory'> = {
  thinking: 'chat_template_kwargs',
  reasoningHistory: true,
};

const MODELS: ModelDefinition[] = [
  { id: 'qwen3-coder-plus', displayName: 'Qwen3 Coder Plus', maxOutputTokens: 8192 },
  { id: 'qwen3-max', displayName: 'Qwen3 Max', maxOutputTokens: 8192 },
  { id: 'qwen3-vl-plus', displayName: 'Qwen3 VL Plus', maxOutputTokens: 8192, vision: true },
  { id: 'qwen3-max-preview', displayName: 'Qwen3 Max Preview', maxOutputTokens: 8192 },
  { id: 'glm-4.6', displayName: 'GLM 4.6', maxOutputTokens: 8192, ...THINKING },
  { id: 'kimi-k2', displayName: 'Kimi K2', maxOutputTokens: 8192 },
  { id: 'deepseek-v3.2', displayName: 'DeepSeek V3.2', maxOutputTokens: 8192, ...THINKING },
  { id: 'deepseek-v3.1', displayName: 'DeepSeek V3.1', maxOutputTokens: 8192, ...THINKING },
  { id: 'deepseek-r1', displayName: 'DeepSeek R1', maxOutputTokens: 8192 },
  { id: 'deepseek-v3', displayName: 'DeepSeek V3', maxOutputTokens: 8192 },
  { id: 'qwen3-32b', displayName: 'Qwen3 32B', maxOutputTokens: 8192 },
  {
    id: 'qwen3-235b-a22b-thinking-2507',
    displayName: 'Qwen3 235B A22B Thinking',
    maxOutputTokens: 8192,
  },
  {
    id: 'qwen3-235b-a22b-instruct',
    displayName: 'Qwen3 235B A22B Instruct',
    maxOutputTokens: 8192,
  },
  { id: 'qwen3-235b', displayName: 'Qwen3 235B', maxOutputTokens: 8192 },
  { id: 'iflow-rome-30ba3b', displayName: 'iFlow ROME 30B A3B', maxOutputTokens: 8192 },
];

/** iFlow's last documented contract (DESIGN.md), with its bases overridable. */
export function iflowProvider(
  authUrl: string = IFLOW_DEFAULT_AUTH_URL,
  apiUrl: string = IFLOW_DEFAULT_API_URL,
): ProviderDefinition {
  const auth = authUrl.replace(/\/+$/, '');
  return {
    id: 'iflow',
    displayName: 'iFlow',
    notice:
      'iFlow announced the end of its service on 2026-04-17; point ccs at a compatible endpoint.',
    authUrl: auth,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    auth: {
      kind: 'device-code',
      clientId: IFLOW_CLIENT_ID,
      deviceAuthorizationEndpoint: `${auth}/oauth/device/code`,
      tokenEndpoint: `${auth}/oauth/token`,
      userInfo: {
        url: `${auth}/api/oauth/getUserInfo`,
        style: 'query-access-token',
        envelope: 'success-data',
      },
      credential: { from: 'userinfo', field: 'apiKey' },
      successFalseIsError: true,
    },
    signing: 'iflow-hmac',
    maxConcurrentPerAccount: 1,
    errorEnvelopes: 'iflow',
    models: MODELS,
    defaultModel: 'qwen3-coder-plus',
    limits: { maxTools: 128, toolNameMaxLength: 64 },
  };
}
