import { describe, expect, it } from 'vitest';
import type { ProviderDefinition } from '../../src/providers/types.js';
import { classifyUpstream, detectEnvelopeError } from '../../src/proxy/translate/index.js';
import { ctxFor } from './helpers.js';

const iflow = ctxFor().provider;
const plain: ProviderDefinition = { ...iflow, displayName: 'Local', errorEnvelopes: 'none' };

describe('classifyUpstream (PROTOCOL §6.3, items 50–51 at the function level)', () => {
  it.each([
    [400, 'invalid_request', 400, 'invalid_request_error'],
    [401, 'auth', 401, 'authentication_error'],
    [402, 'forbidden', 402, 'billing_error'],
    [403, 'forbidden', 403, 'permission_error'],
    [404, 'not_found', 404, 'not_found_error'],
    [408, 'timeout', 504, 'timeout_error'],
    [413, 'invalid_request', 413, 'request_too_large'],
    [418, 'invalid_request', 400, 'invalid_request_error'],
    [429, 'rate_limit', 429, 'rate_limit_error'],
    [500, 'server', 500, 'api_error'],
    [502, 'server', 500, 'api_error'],
    [503, 'overloaded', 529, 'overloaded_error'],
    [504, 'timeout', 504, 'timeout_error'],
    [529, 'overloaded', 529, 'overloaded_error'],
    [599, 'server', 500, 'api_error'],
  ])('#51 HTTP %i → %s (%i %s)', (status, kind, answer, type) => {
    const error = classifyUpstream(status, '', iflow);
    expect(error).toMatchObject({ kind, status: answer, anthropicType: type });
  });

  it('#50 429 keeps the upstream message and the retry-after header', () => {
    const error = classifyUpstream(
      429,
      '{"error":{"message":"Too many requests, slow down","type":"rate_limit"}}',
      iflow,
      { retryAfter: '7' },
    );
    expect(error.kind).toBe('rate_limit');
    expect(error.retryAfterMs).toBe(7000);
    expect(error.message).toBe(
      'iFlow is rate limiting this account: Too many requests, slow down.',
    );
  });

  it('#50 retry-after from an HTTP date or from the body', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const dated = classifyUpstream(429, '', iflow, {
      retryAfter: 'Thu, 01 Jan 2026 00:00:30 GMT',
      now,
    });
    expect(dated.retryAfterMs).toBe(30_000);
    expect(classifyUpstream(429, '{"error":{"retry_after":3}}', iflow).retryAfterMs).toBe(3000);
  });

  it('messages are readable: no HTML, no stack trace, no paths, bounded', () => {
    const html = classifyUpstream(
      502,
      '<!DOCTYPE html><html><body>Bad gateway</body></html>',
      iflow,
    );
    expect(html.message).toBe(
      'iFlow had a server error (HTTP 502): it answered with a web page instead of JSON.',
    );
    const trace = classifyUpstream(
      500,
      'TypeError: x is undefined\n    at handler (/srv/app/server.js:10:5)\n    at next (node:internal/x:1:1)',
      iflow,
    );
    expect(trace.message).toBe('iFlow had a server error (HTTP 500): TypeError: x is undefined.');
    expect(trace.message).not.toContain('/srv');
    const paths = classifyUpstream(
      500,
      '{"error":{"message":"open \'/etc/gw/keys.json\' failed; see https://x.example/v1/status"}}',
      iflow,
    );
    expect(paths.message).toBe(
      "iFlow had a server error (HTTP 500): open '[path]' failed; see https://x.example/v1/status.",
    );
    const long = classifyUpstream(400, 'x'.repeat(5000), iflow);
    expect(long.message.length).toBeLessThan(400);
  });

  it('an unsupported model names the model', () => {
    const error = classifyUpstream(404, '{"msg":"当前 API 不支持所选模型"}', iflow, {
      model: 'qwen9',
    });
    expect(error).toMatchObject({
      kind: 'model_unsupported',
      status: 400,
      anthropicType: 'invalid_request_error',
    });
    expect(error.message).toContain('"qwen9"');
  });

  it('a 200 that carries an iFlow envelope is classified by the envelope', () => {
    const error = classifyUpstream(200, '{"status":"449","msg":"too many requests"}', iflow);
    expect(error.kind).toBe('rate_limit');
    expect(classifyUpstream(200, 'not json', iflow)).toMatchObject({ kind: 'server', status: 500 });
  });
});

describe('detectEnvelopeError (iFlow HTTP-200 envelopes)', () => {
  it('449 → rate limit, 439 → token expired, "Model not support" → invalid request', () => {
    expect(detectEnvelopeError({ status: '449', msg: 'busy', body: null }, iflow)).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      anthropicType: 'rate_limit_error',
    });
    expect(detectEnvelopeError({ status: 439, msg: 'token expired' }, iflow)).toMatchObject({
      kind: 'auth',
      status: 401,
      anthropicType: 'authentication_error',
    });
    const model = detectEnvelopeError({ status: '435', msg: 'Model not support' }, iflow, {
      model: 'glm-9',
    });
    expect(model).toMatchObject({ kind: 'model_unsupported', status: 400 });
    expect(model?.message).toContain('glm-9');
  });

  it('other envelope codes are read by their message', () => {
    expect(detectEnvelopeError({ status: '434', msg: 'Invalid apiKey' }, iflow)?.kind).toBe('auth');
    expect(detectEnvelopeError({ status: '8', msg: 'Too many requests' }, iflow)?.kind).toBe(
      'rate_limit',
    );
    expect(detectEnvelopeError({ status: '500', msg: 'internal' }, iflow)?.kind).toBe('server');
  });

  it('normal completions and chunks are not errors', () => {
    expect(detectEnvelopeError({ choices: [{ delta: { content: 'x' } }] }, iflow)).toBeUndefined();
    expect(
      detectEnvelopeError({ choices: [], usage: { prompt_tokens: 1 } }, iflow),
    ).toBeUndefined();
    expect(detectEnvelopeError({ status: '200', msg: 'ok' }, iflow)).toBeUndefined();
    expect(detectEnvelopeError('text', iflow)).toBeUndefined();
  });

  it('status envelopes only for providers that declare them; `error` for all', () => {
    expect(detectEnvelopeError({ status: '449', msg: 'busy' }, plain)).toBeUndefined();
    expect(
      detectEnvelopeError({ error: { message: 'rate limited', code: 429 } }, plain),
    ).toMatchObject({ kind: 'rate_limit', anthropicType: 'rate_limit_error' });
    expect(detectEnvelopeError({ error: 'exploded' }, plain)).toMatchObject({
      kind: 'server',
      message: 'Local reported an error: exploded.',
    });
  });
});
