import { describe, expect, it } from 'vitest';
import { CorruptFileError, UsageError, UserError } from '../../src/errors.js';
import { knownProviderIds, resolveProvider } from '../../src/providers/registry.js';

const none = { providers: {} };

describe('resolveProvider', () => {
  it('gives iFlow its documented endpoints by default', () => {
    // Compared by parts: no test names a real iFlow URL, so none can call one by mistake.
    const parts = (url: string | undefined) => {
      const { protocol, host, pathname } = new URL(url ?? '');
      return `${protocol} ${host} ${pathname}`;
    };
    const iflow = resolveProvider('iflow', none, {});
    expect(parts(iflow.apiUrl)).toBe('https: apis.iflow.cn /v1');
    expect(iflow.auth).toMatchObject({ kind: 'device-code', clientId: '10009311001' });
    if (iflow.auth.kind !== 'device-code') throw new Error('iFlow logs in with a device code');
    expect(parts(iflow.auth.deviceAuthorizationEndpoint)).toBe(
      'https: iflow.cn /oauth/device/code',
    );
    expect(parts(iflow.auth.tokenEndpoint)).toBe('https: iflow.cn /oauth/token');
    expect(iflow.maxConcurrentPerAccount).toBe(1);
  });

  it('lets the environment win over config.yaml, and config.yaml over defaults', () => {
    const config = {
      providers: {
        iflow: { authUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:2/v1', raw: {} },
      },
    };
    expect(resolveProvider('iflow', config, {}).apiUrl).toBe('http://127.0.0.1:2/v1');
    const fromEnv = resolveProvider('iflow', config, {
      CCS_IFLOW_AUTH_URL: 'http://127.0.0.1:3/',
      CCS_IFLOW_API_URL: 'http://127.0.0.1:4/v1',
    });
    expect(fromEnv.apiUrl).toBe('http://127.0.0.1:4/v1');
    expect(fromEnv.auth).toMatchObject({ tokenEndpoint: 'http://127.0.0.1:3/oauth/token' });
  });

  it('refuses an endpoint variable that is not an http(s) URL, naming it', () => {
    const cases: Array<[string, NodeJS.ProcessEnv]> = [
      ['iflow', { CCS_IFLOW_AUTH_URL: 'not-a-url' }],
      ['iflow', { CCS_IFLOW_API_URL: 'ftp://127.0.0.1/v1' }],
      ['deepseek', { CCS_DEEPSEEK_API_URL: 'localhost:8080/v1' }],
    ];
    for (const [id, env] of cases) {
      const [name, value] = Object.entries(env)[0]!;
      let thrown: unknown;
      try {
        resolveProvider(id, none, env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UserError);
      const error = thrown as UserError;
      expect(error.exitCode).toBe(1);
      expect(error.message).toBe(
        `The environment variable ${name}="${value}" is not an http:// or https:// URL.`,
      );
      expect(error.nextStep).toMatch(
        /^Set it to a full address such as https:\/\/.*, or unset it\.$/,
      );
    }
  });

  it('refuses a config.yaml endpoint that is not an http(s) URL', () => {
    const raw = { kind: 'api-key', api_url: 'file:///etc/passwd', models: ['m'] };
    expect(() => resolveProvider('lab', { providers: { lab: { raw } } }, {})).toThrow(
      /providers\.lab: field `api_url`: must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('serves presets as data, a local one with no key', () => {
    const ollama = resolveProvider('ollama', none, {});
    expect(ollama.auth).toEqual({ kind: 'api-key', key: 'none' });
    expect(ollama.apiUrl).toBe('http://127.0.0.1:11434/v1');
    expect(resolveProvider('deepseek', none, {}).auth).toEqual({
      kind: 'api-key',
      key: 'required',
    });
  });

  it('builds a device-code provider from config.yaml data', () => {
    const raw = {
      kind: 'device-code',
      issuer: 'https://sso.example.test/realms/dev',
      client_id: 'ccs',
      scope: 'openid email offline_access',
      api_url: 'https://llm.example.test/v1/',
      models: ['big-model', { id: 'small-model', max_tokens: 4096 }],
    };
    const gateway = resolveProvider('gateway', { providers: { gateway: { raw } } }, {});
    expect(gateway.apiUrl).toBe('https://llm.example.test/v1');
    expect(gateway.defaultModel).toBe('big-model');
    expect(gateway.models[1]).toEqual({ id: 'small-model', maxOutputTokens: 4096 });
    expect(gateway.auth).toMatchObject({
      kind: 'device-code',
      issuer: 'https://sso.example.test/realms/dev',
      credential: { from: 'access_token' },
    });
    expect(knownProviderIds({ providers: { gateway: { raw } } })).toContain('gateway');
  });

  it('names config.yaml and the field when an entry is wrong', () => {
    const raw = {
      kind: 'device-code',
      client_id: 'x',
      api_url: 'https://a.test/v1',
      models: ['m'],
    };
    expect(() => resolveProvider('corp', { providers: { corp: { raw } } }, {})).toThrow(
      CorruptFileError,
    );
    expect(() => resolveProvider('corp', { providers: { corp: { raw } } }, {})).toThrow(
      /providers\.corp.*issuer/,
    );
  });

  it('lists the known providers in an unknown-provider error', () => {
    expect(() => resolveProvider('nope', none, {})).toThrow(UsageError);
    expect(() => resolveProvider('nope', none, {})).toThrow(/iflow, deepseek, openrouter/);
  });
});
