import type { ProviderEntry } from './config-providers.js';

/**
 * Providers that ship as data. A preset becomes a configured provider once
 * the user logs in to it; `config.yaml` may override any of its fields.
 */
export const PRESETS: Readonly<Record<string, ProviderEntry>> = {
  deepseek: {
    kind: 'api-key',
    display_name: 'DeepSeek',
    api_url: 'https://api.deepseek.com/v1',
    default_model: 'deepseek-chat',
    models: [
      { id: 'deepseek-chat', max_tokens: 8192 },
      { id: 'deepseek-reasoner', max_tokens: 32768 },
    ],
  },
  openrouter: {
    kind: 'api-key',
    display_name: 'OpenRouter',
    api_url: 'https://openrouter.ai/api/v1',
    default_model: 'qwen/qwen3-coder',
    models: [
      { id: 'qwen/qwen3-coder', max_tokens: 32768 },
      { id: 'moonshotai/kimi-k2', max_tokens: 32768 },
      { id: 'deepseek/deepseek-chat-v3.1', max_tokens: 32768 },
      { id: 'z-ai/glm-4.6', max_tokens: 32768 },
    ],
  },
  moonshot: {
    kind: 'api-key',
    display_name: 'Moonshot AI',
    api_url: 'https://api.moonshot.ai/v1',
    default_model: 'kimi-k2-turbo-preview',
    models: [
      { id: 'kimi-k2-turbo-preview', max_tokens: 32768 },
      { id: 'kimi-k2-0905-preview', max_tokens: 32768 },
    ],
  },
  ollama: {
    kind: 'api-key',
    display_name: 'Ollama (local)',
    api_url: 'http://127.0.0.1:11434/v1',
    api_key: 'none',
    default_model: 'qwen3-coder',
    models: [{ id: 'qwen3-coder', max_tokens: 8192 }],
  },
};
