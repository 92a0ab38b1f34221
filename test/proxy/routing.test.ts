import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { call, completeJson, SECRET, setUpProxyWithUpstream, userRequest } from './helpers.js';

const bed = setUpProxyWithUpstream();

describe('routes', () => {
  it('item 1: POST /v1/messages?beta=true is handled like /v1/messages', async () => {
    const answer = await call(bed.proxy, '/v1/messages?beta=true', userRequest('hi'));
    expect(answer.status).toBe(200);
    expect(answer.json().content).toEqual([{ type: 'text', text: 'Hi' }]);
    expect(bed.upstream.received[0]?.url).toBe('/v1/chat/completions');
  });

  it('item 2: count_tokens?beta=true answers locally with a positive estimate', async () => {
    const answer = await call(bed.proxy, '/v1/messages/count_tokens?beta=true', {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'How many tokens is this sentence?' }],
    });
    expect(answer.status).toBe(200);
    const { input_tokens } = answer.json();
    expect(Number.isInteger(input_tokens)).toBe(true);
    expect(input_tokens).toBeGreaterThanOrEqual(1);
    expect(bed.upstream.received).toHaveLength(0);
  });

  it('item 3: Bearer or x-api-key are accepted; a wrong or missing secret is 401', async () => {
    const body = userRequest('hi');
    const bearer = await call(bed.proxy, '/v1/messages', body, {
      'x-api-key': '',
      authorization: `Bearer ${SECRET}`,
    });
    expect(bearer.status).toBe(200);
    const apiKey = await call(bed.proxy, '/v1/messages', body, { 'x-api-key': SECRET });
    expect(apiKey.status).toBe(200);

    for (const headers of [{ 'x-api-key': 'wrong' }, { 'x-api-key': '' }]) {
      const refused = await call(bed.proxy, '/v1/messages', body, headers);
      expect(refused.status).toBe(401);
      expect(refused.json()).toMatchObject({
        type: 'error',
        error: { type: 'authentication_error' },
      });
      expect(refused.headers['request-id']).toMatch(/^req_/);
    }
    expect(bed.upstream.received).toHaveLength(2);
  });

  it('item 4: unknown anthropic-beta values pass and are not forwarded', async () => {
    const answer = await call(bed.proxy, '/v1/messages?beta=true', userRequest('hi'), {
      'anthropic-beta': 'claude-code-20250219,advisor-tool-2026-03-01,made-up-2099-01-01',
      'anthropic-version': '2023-06-01',
    });
    expect(answer.status).toBe(200);
    const headers = bed.upstream.received[0]!.headers;
    expect(headers['anthropic-beta']).toBeUndefined();
    expect(headers['anthropic-version']).toBeUndefined();
    expect(headers['x-api-key']).toBeUndefined();
  });

  it('item 5: a 5 MB body is accepted; a 40 MB body is 413 request_too_large', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const ok = await call(bed.proxy, '/v1/messages', userRequest(big));
    expect(ok.status).toBe(200);
    const upstreamMessages = bed.upstream.received[0]!.body.messages as Array<{ content: string }>;
    expect(upstreamMessages.at(-1)?.content).toHaveLength(big.length);

    const huge = JSON.stringify(userRequest('y'.repeat(40 * 1024 * 1024)));
    const refused = await call(bed.proxy, '/v1/messages', huge);
    expect(refused.status).toBe(413);
    expect(refused.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(bed.upstream.received).toHaveLength(1);
  });

  it('item 6: an unknown route is a 404 not_found_error envelope', async () => {
    for (const [method, route] of [
      ['GET', '/v1/unknown'],
      ['POST', '/v1/complete'],
      ['GET', '/api/provider/other/v1/models'],
    ] as const) {
      const answer = await call(bed.proxy, route, method === 'POST' ? {} : undefined, {}, method);
      expect(answer.status).toBe(404);
      expect(answer.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    }
  });

  it('item 7: malformed JSON is 400 invalid_request_error', async () => {
    const answer = await call(bed.proxy, '/v1/messages', '{"model": "x", messages: [');
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    expect(bed.upstream.received).toHaveLength(0);
  });

  it('item 62: GET /v1/models lists the provider models in the Anthropic shape', async () => {
    const answer = await call(bed.proxy, '/v1/models');
    expect(answer.status).toBe(200);
    const list = answer.json();
    expect(list.has_more).toBe(false);
    expect(list.data[0]).toMatchObject({
      type: 'model',
      id: 'qwen3-coder-plus',
      display_name: 'Qwen3 Coder Plus',
    });
    expect(typeof list.data[0].created_at).toBe('string');
    expect(list.first_id).toBe(list.data[0].id);
    expect(list.last_id).toBe(list.data.at(-1).id);
  });

  it('serves the same routes under /api/provider/iflow/', async () => {
    const models = await call(bed.proxy, '/api/provider/iflow/v1/models');
    expect(models.status).toBe(200);
    const message = await call(
      bed.proxy,
      '/api/provider/iflow/v1/messages?beta=true',
      userRequest('hi'),
    );
    expect(message.status).toBe(200);
    const count = await call(
      bed.proxy,
      '/api/provider/iflow/v1/messages/count_tokens',
      userRequest('hi'),
    );
    expect(count.json().input_tokens).toBeGreaterThan(0);
  });

  it('answers HEAD and GET / as a health check', async () => {
    const head = await request(`${bed.proxy.url}/`, { method: 'HEAD' });
    await head.body.text();
    expect(head.statusCode).toBe(200);
    const get = await call(bed.proxy, '/api/provider/iflow/');
    expect(get.status).toBe(200);
  });

  it('refuses a request whose Host is not loopback (DNS rebinding)', async () => {
    const refused = await call(bed.proxy, '/v1/models', undefined, { host: 'evil.example:8317' });
    expect(refused.status).toBe(403);
    expect(refused.json().error.type).toBe('permission_error');
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:80']) {
      const ok = await call(bed.proxy, '/v1/models', undefined, { host });
      expect(ok.status).toBe(200);
    }
  });
});

describe('model mapping and max_tokens', () => {
  it('maps Anthropic names to the settings models and echoes the client name', async () => {
    await bed.start({
      settings: {
        env: {
          ANTHROPIC_MODEL: 'qwen3-max',
          ANTHROPIC_DEFAULT_HAIKU_MODEL: 'qwen3-32b',
          ANTHROPIC_DEFAULT_OPUS_MODEL: 'kimi-k2',
          ANTHROPIC_MAX_TOKENS: '4000',
        },
      },
    });
    const cases: Array<[string, string]> = [
      ['claude-3-5-haiku-20241022', 'qwen3-32b'],
      // No SONNET setting: sonnet names fall back to ANTHROPIC_MODEL.
      ['claude-sonnet-4-5', 'qwen3-max'],
      ['claude-opus-5-5[1m]', 'kimi-k2'],
      ['some-unknown-model', 'qwen3-max'],
      ['glm-4.6', 'glm-4.6'],
    ];
    for (const [client, expected] of cases) {
      const answer = await call(
        bed.proxy,
        '/v1/messages',
        userRequest('hi', { model: client, max_tokens: 128000 }),
      );
      expect(answer.json().model).toBe(client);
      const sent = bed.upstream.received.at(-1)!.body;
      expect(sent.model).toBe(expected);
      expect(sent.max_tokens).toBe(4000);
    }
  });

  it('clamps max_tokens to the model limit (8192) below the settings value', async () => {
    await bed.start({
      settings: { env: { ANTHROPIC_MODEL: 'qwen3-coder-plus', ANTHROPIC_MAX_TOKENS: '32000' } },
    });
    await call(bed.proxy, '/v1/messages', userRequest('hi', { max_tokens: 64000 }));
    expect(bed.upstream.received.at(-1)!.body.max_tokens).toBe(8192);
    await call(bed.proxy, '/v1/messages', userRequest('hi', { max_tokens: 100 }));
    expect(bed.upstream.received.at(-1)!.body.max_tokens).toBe(100);
  });
});

describe('upstream request', () => {
  it('signs every request the iFlow way with the account api key', async () => {
    const { verifyIflowSignature } = await import('../../src/proxy/signing.js');
    await call(bed.proxy, '/v1/messages', userRequest('hi'), {
      'x-claude-code-session-id': '0b5d3c1e-1111-4222-8333-944455556666',
    });
    const sent = bed.upstream.received[0]!;
    expect(sent.apiKey).toBe('sk-ann');
    expect(sent.headers['user-agent']).toBe('iFlow-Cli');
    expect(sent.headers['session-id']).toBe('session-0b5d3c1e-1111-4222-8333-944455556666');
    expect(sent.headers['x-iflow-timestamp']).toMatch(/^\d{13}$/);
    expect(verifyIflowSignature(sent.headers, 'sk-ann')).toEqual({ ok: true });
    expect(verifyIflowSignature(sent.headers, 'sk-other')).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('reuses upstream connections (keep-alive)', async () => {
    const ports = new Set<number | undefined>();
    bed.upstream.setHandler((_req, res, raw) => {
      ports.add(raw.socket.remotePort);
      completeJson(res, 'Hi');
    });
    for (let i = 0; i < 4; i++) await call(bed.proxy, '/v1/messages', userRequest('hi'));
    expect(ports.size).toBe(1);
  });
});
