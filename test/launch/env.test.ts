import { describe, expect, it } from 'vitest';
import { buildClaudeEnv, CLAUDE_ENV_DEFAULTS } from '../../src/launch/env.js';

const PROXY = 'http://127.0.0.1:45678';
const SECRET = 'ccs-session-secret-for-tests';

function build(base: NodeJS.ProcessEnv, settingsEnv: Record<string, string>) {
  return buildClaudeEnv({
    base,
    settingsEnv,
    proxyUrl: PROXY,
    secret: SECRET,
    defaultModel: 'provider-default',
  });
}

describe('buildClaudeEnv', () => {
  it('produces exactly the variables of PROTOCOL items 63-64 from the default settings', () => {
    const env = build(
      { PATH: '/usr/bin', HOME: '/home/u' },
      { ANTHROPIC_MODEL: 'qwen3-coder-plus', ANTHROPIC_MAX_TOKENS: '8192' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      ANTHROPIC_MAX_TOKENS: '8192',
      ANTHROPIC_BASE_URL: PROXY,
      ANTHROPIC_AUTH_TOKEN: SECRET,
      ANTHROPIC_MODEL: 'qwen3-coder-plus',
      ANTHROPIC_DEFAULT_OPUS_MODEL: 'qwen3-coder-plus',
      ANTHROPIC_DEFAULT_SONNET_MODEL: 'qwen3-coder-plus',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'qwen3-coder-plus',
      ANTHROPIC_SMALL_FAST_MODEL: 'qwen3-coder-plus',
      CLAUDE_CODE_MAX_OUTPUT_TOKENS: '8192',
      API_TIMEOUT_MS: '600000',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS: '1',
    });
  });

  it('gives the haiku model to the small-fast (background) model', () => {
    const env = build(
      {},
      {
        ANTHROPIC_MODEL: 'qwen3-max',
        ANTHROPIC_DEFAULT_SONNET_MODEL: 'glm-4.6',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'qwen3-32b',
      },
    );
    expect(env.ANTHROPIC_DEFAULT_OPUS_MODEL).toBe('qwen3-max');
    expect(env.ANTHROPIC_DEFAULT_SONNET_MODEL).toBe('glm-4.6');
    expect(env.ANTHROPIC_DEFAULT_HAIKU_MODEL).toBe('qwen3-32b');
    expect(env.ANTHROPIC_SMALL_FAST_MODEL).toBe('qwen3-32b');
  });

  it('lets settings win over the inherited environment, and ccs win over both', () => {
    const env = build(
      {
        ANTHROPIC_MODEL: 'claude-opus-4',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku',
        ANTHROPIC_BASE_URL: 'https://api.anthropic.com',
        ANTHROPIC_AUTH_TOKEN: 'user-token',
        ANTHROPIC_API_KEY: 'sk-ant-user',
        MY_VAR: 'from-shell',
        OTHER: 'kept',
      },
      {
        ANTHROPIC_MODEL: 'kimi-k2',
        MY_VAR: 'from-settings',
        ANTHROPIC_BASE_URL: 'http://elsewhere',
        ANTHROPIC_API_KEY: 'from-settings-too',
      },
    );
    expect(env.MY_VAR).toBe('from-settings');
    expect(env.OTHER).toBe('kept');
    expect(env.ANTHROPIC_MODEL).toBe('kimi-k2');
    // A Claude model from the user's shell must not leak into the aliases.
    expect(env.ANTHROPIC_DEFAULT_HAIKU_MODEL).toBe('kimi-k2');
    expect(env.ANTHROPIC_BASE_URL).toBe(PROXY);
    expect(env.ANTHROPIC_AUTH_TOKEN).toBe(SECRET);
    expect(env).not.toHaveProperty('ANTHROPIC_API_KEY');
  });

  it('keeps a default the settings or the environment already set', () => {
    const env = build(
      { DISABLE_TELEMETRY: '0', API_TIMEOUT_MS: '900000' },
      { CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS: '0', ANTHROPIC_MODEL: 'm' },
    );
    expect(env.DISABLE_TELEMETRY).toBe('0');
    expect(env.API_TIMEOUT_MS).toBe('900000');
    expect(env.CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS).toBe('0');
    expect(env.DISABLE_ERROR_REPORTING).toBe(CLAUDE_ENV_DEFAULTS.DISABLE_ERROR_REPORTING);
  });

  it("uses the provider's default model when the settings name none", () => {
    const env = build({}, {});
    expect(env.ANTHROPIC_MODEL).toBe('provider-default');
    expect(env.ANTHROPIC_SMALL_FAST_MODEL).toBe('provider-default');
    expect(env).not.toHaveProperty('CLAUDE_CODE_MAX_OUTPUT_TOKENS');
  });

  it('removes what would send claude past the proxy', () => {
    const env = build(
      {
        CLAUDE_CODE_USE_BEDROCK: '1',
        CLAUDE_CODE_USE_VERTEX: '1',
        CLAUDE_CODE_OAUTH_TOKEN: 'oauth',
      },
      { ANTHROPIC_MODEL: 'm' },
    );
    expect(env).not.toHaveProperty('CLAUDE_CODE_USE_BEDROCK');
    expect(env).not.toHaveProperty('CLAUDE_CODE_USE_VERTEX');
    expect(env).not.toHaveProperty('CLAUDE_CODE_OAUTH_TOKEN');
  });

  it('keeps the loopback hop away from an HTTP proxy in the environment', () => {
    const env = build({ HTTPS_PROXY: 'http://corp:3128', NO_PROXY: '.corp' }, {});
    expect(env.NO_PROXY).toBe('.corp,127.0.0.1,localhost');
    expect(env.no_proxy).toBe('127.0.0.1,localhost');
    expect(build({}, {})).not.toHaveProperty('NO_PROXY');
  });

  it('never returns undefined values and leaves its input alone', () => {
    const base: NodeJS.ProcessEnv = { UNSET: undefined, ANTHROPIC_API_KEY: 'k' };
    const env = build(base, { ANTHROPIC_MODEL: 'm' });
    expect(Object.values(env).every((value) => typeof value === 'string')).toBe(true);
    expect(env).not.toHaveProperty('UNSET');
    expect(base.ANTHROPIC_API_KEY).toBe('k');
  });
});
