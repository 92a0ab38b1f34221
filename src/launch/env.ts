/** Defaults for claude that the settings or the user's environment may override. */
export const CLAUDE_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  API_TIMEOUT_MS: '600000',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS: '1',
};

/**
 * Variables that would send claude somewhere other than the session's proxy
 * (another credential, or a cloud backend that ignores ANTHROPIC_BASE_URL).
 */
export const CLAUDE_ENV_REMOVED = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_USE_FOUNDRY',
] as const;

const HTTP_PROXY_KEYS = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];
const LOOPBACK = ['127.0.0.1', 'localhost'];

export interface ClaudeEnvInput {
  /** The environment ccs inherited. */
  base: NodeJS.ProcessEnv;
  /** Every `env` key of `<provider>.settings.json`. */
  settingsEnv: Readonly<Record<string, string>>;
  /** Where the session's proxy listens, e.g. `http://127.0.0.1:40123`. */
  proxyUrl: string;
  /** The session's secret; claude sends it as `Authorization: Bearer …`. */
  secret: string;
  /** The provider's model when the settings name none. */
  defaultModel: string;
}

function setting(env: Readonly<Record<string, string>>, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

/**
 * The environment claude runs with. Later layers win: the inherited
 * environment, then every key of the settings, then what ccs must control
 * (the proxy, its secret, the model names); the defaults fill only what
 * neither the settings nor the environment set. Pure, so it is tested
 * without spawning anything.
 */
export function buildClaudeEnv(input: ClaudeEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.base)) {
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, input.settingsEnv);

  for (const [key, value] of Object.entries(CLAUDE_ENV_DEFAULTS)) {
    if (env[key] === undefined || env[key] === '') env[key] = value;
  }

  const model = setting(input.settingsEnv, 'ANTHROPIC_MODEL') ?? input.defaultModel;
  const alias = (key: string) => setting(input.settingsEnv, key) ?? model;
  const haiku = alias('ANTHROPIC_DEFAULT_HAIKU_MODEL');
  env.ANTHROPIC_MODEL = model;
  env.ANTHROPIC_DEFAULT_OPUS_MODEL = alias('ANTHROPIC_DEFAULT_OPUS_MODEL');
  env.ANTHROPIC_DEFAULT_SONNET_MODEL = alias('ANTHROPIC_DEFAULT_SONNET_MODEL');
  env.ANTHROPIC_DEFAULT_HAIKU_MODEL = haiku;
  // The legacy name of the background model; older claude versions read only this one.
  env.ANTHROPIC_SMALL_FAST_MODEL = haiku;

  // readSettings has checked it is a positive whole number.
  const maxTokens = setting(input.settingsEnv, 'ANTHROPIC_MAX_TOKENS');
  if (maxTokens !== undefined) env.CLAUDE_CODE_MAX_OUTPUT_TOKENS = maxTokens;

  env.ANTHROPIC_BASE_URL = input.proxyUrl;
  env.ANTHROPIC_AUTH_TOKEN = input.secret;
  for (const key of CLAUDE_ENV_REMOVED) delete env[key];

  // An HTTP proxy in the environment must not see the loopback hop to ccs.
  if (HTTP_PROXY_KEYS.some((key) => env[key])) {
    for (const key of ['NO_PROXY', 'no_proxy']) env[key] = withLoopback(env[key]);
  }
  return env;
}

function withLoopback(list: string | undefined): string {
  const entries = (list ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const host of LOOPBACK) if (!entries.includes(host)) entries.push(host);
  return entries.join(',');
}
