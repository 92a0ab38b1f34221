/**
 * Upstream failures, mapped to the Anthropic error Claude Code should see
 * (PROTOCOL.md §1.5, §6.3). Messages are sentences a user can read: the
 * provider's own message where it gave one, never a stack trace or a path.
 */
import type { ProviderDefinition } from '../../providers/types.js';
import type { UpstreamErrorKind } from './types.js';

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  /** The HTTP status to answer the client with. */
  readonly status: number;
  /** Anthropic `error.type`, e.g. `rate_limit_error`. */
  readonly anthropicType: string;
  /** How long the provider asked us to wait, when it said. Not clamped. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: UpstreamErrorKind,
    message: string,
    options: { status?: number; anthropicType?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'UpstreamError';
    this.kind = kind;
    const defaults = KIND_DEFAULTS[kind];
    this.status = options.status ?? defaults.status;
    this.anthropicType = options.anthropicType ?? defaults.type;
    this.retryAfterMs = options.retryAfterMs;
  }
}

const KIND_DEFAULTS: Record<UpstreamErrorKind, { status: number; type: string }> = {
  rate_limit: { status: 429, type: 'rate_limit_error' },
  auth: { status: 401, type: 'authentication_error' },
  forbidden: { status: 403, type: 'permission_error' },
  not_found: { status: 404, type: 'not_found_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  model_unsupported: { status: 400, type: 'invalid_request_error' },
  server: { status: 500, type: 'api_error' },
  overloaded: { status: 529, type: 'overloaded_error' },
  timeout: { status: 504, type: 'timeout_error' },
  network: { status: 500, type: 'api_error' },
};

/** Extra facts the caller knows that the body does not carry. */
export interface ClassifyOptions {
  /** The upstream `retry-after` header: seconds or an HTTP date. */
  retryAfter?: string | null;
  /** The provider model id requested, to name it in "model not supported". */
  model?: string;
  /** For HTTP-date `retry-after` values; defaults to Date.now(). */
  now?: number;
}

const MAX_MESSAGE_CHARS = 300;

/**
 * Maps an upstream non-2xx answer (or a 2xx that is not a usable answer) to
 * an UpstreamError. `bodyText` may be JSON, HTML or nothing.
 */
export function classifyUpstream(
  status: number,
  bodyText: string,
  provider: ProviderDefinition,
  options: ClassifyOptions = {},
): UpstreamError {
  const json = parseJson(bodyText);
  if (json !== undefined) {
    const envelope = detectEnvelopeError(json, provider, options);
    if (envelope && (status < 300 || envelope.kind === 'model_unsupported')) return envelope;
  }

  const said = upstreamMessage(json, bodyText);
  const retryAfterMs = retryAfterFrom(options, json);
  if (isModelUnsupported(said, json)) return modelUnsupported(provider, options.model);
  return fromStatus(status, provider, said, retryAfterMs);
}

/**
 * Recognises an error carried in an HTTP-200 JSON body: iFlow's envelopes
 * (`{"status":"449","msg":…}`; only when the provider declares them) and, for
 * any provider, an OpenAI-style `{"error":{…}}` without `choices`. Returns
 * undefined for a body that looks like a normal completion or chunk.
 */
export function detectEnvelopeError(
  json: unknown,
  provider: ProviderDefinition,
  options: ClassifyOptions = {},
): UpstreamError | undefined {
  if (!isRecord(json)) return undefined;
  if (Array.isArray(json.choices) && json.choices.length > 0) return undefined;

  if (json.error !== undefined && json.error !== null) {
    return fromErrorObject(json.error, provider, options);
  }
  if (provider.errorEnvelopes !== 'iflow') return undefined;

  const code = numeric(json.status) ?? numeric(json.code);
  const said = textOf(json.msg) ?? textOf(json.message);
  if (said && isModelUnsupported(said, json)) return modelUnsupported(provider, options.model);
  if (code === undefined || code === 200 || code === 0) return undefined;
  if (code === 449) {
    return new UpstreamError(
      'rate_limit',
      `${provider.displayName} is rate limiting this account${suffix(said)}.`,
      withRetry(retryAfterFrom(options, json)),
    );
  }
  if (code === 439) {
    return new UpstreamError(
      'auth',
      `${provider.displayName} says the account's token has expired${suffix(said)}.`,
    );
  }
  // iFlow's other envelope codes are not documented; the message says more.
  const byMessage = said ? statusFromMessage(said) : undefined;
  return fromStatus(byMessage ?? code, provider, said, retryAfterFrom(options, json));
}

/** An HTTP status for an error known only by its words. */
function statusFromMessage(said: string): number | undefined {
  if (/rate.?limit|too many|频繁|限流/i.test(said)) return 429;
  if (/api.?key|unauthori[sz]ed|expired|invalid token|鉴权|过期/i.test(said)) return 401;
  if (/forbidden|permission|denied/i.test(said)) return 403;
  return undefined;
}

/** For an `error` member found in a body or a mid-stream chunk. */
function fromErrorObject(
  error: unknown,
  provider: ProviderDefinition,
  options: ClassifyOptions,
): UpstreamError {
  const record = isRecord(error) ? error : {};
  const said = typeof error === 'string' ? clean(error) : (textOf(record.message) ?? undefined);
  if (said && isModelUnsupported(said, record)) return modelUnsupported(provider, options.model);

  const code = numeric(record.code) ?? numeric(record.status) ?? numeric(record.status_code);
  const type = `${textOf(record.type) ?? ''} ${textOf(record.code) ?? ''}`.toLowerCase();
  const retry = retryAfterFrom(options, record);
  if (code !== undefined && code >= 400) return fromStatus(code, provider, said, retry);
  if (/rate.?limit|too.?many|quota/.test(type)) return fromStatus(429, provider, said, retry);
  if (/auth|api.?key|token/.test(type)) return fromStatus(401, provider, said, retry);
  if (/permission|forbidden/.test(type)) return fromStatus(403, provider, said, retry);
  if (/invalid|bad.?request/.test(type)) return fromStatus(400, provider, said, retry);
  if (/overload|unavailable|capacity/.test(type)) return fromStatus(529, provider, said, retry);
  if (/timeout/.test(type)) return fromStatus(504, provider, said, retry);
  return new UpstreamError(
    'server',
    `${provider.displayName} reported an error${suffix(said ?? 'with no message')}.`,
  );
}

function fromStatus(
  status: number,
  provider: ProviderDefinition,
  said: string | undefined,
  retryAfterMs: number | undefined,
): UpstreamError {
  const name = provider.displayName;
  const tail = suffix(said);
  switch (status) {
    case 400:
    case 422:
      return new UpstreamError('invalid_request', `${name} rejected the request${tail}.`);
    case 401:
      return new UpstreamError('auth', `${name} did not accept the account's credentials${tail}.`);
    case 402:
      return new UpstreamError('forbidden', `${name} says the account cannot pay${tail}.`, {
        status: 402,
        anthropicType: 'billing_error',
      });
    case 403:
      return new UpstreamError('forbidden', `${name} refused access for this account${tail}.`);
    case 404:
      return new UpstreamError('not_found', `${name} answered "not found"${tail}.`);
    case 408:
    case 504:
      return new UpstreamError('timeout', `${name} timed out${tail}.`);
    case 413:
      return new UpstreamError('invalid_request', `${name} says the request is too large${tail}.`, {
        status: 413,
        anthropicType: 'request_too_large',
      });
    case 429:
      return new UpstreamError(
        'rate_limit',
        `${name} is rate limiting this account${tail}.`,
        withRetry(retryAfterMs),
      );
    case 503:
    case 529:
      return new UpstreamError(
        'overloaded',
        `${name} is overloaded${tail}.`,
        withRetry(retryAfterMs),
      );
  }
  if (status >= 400 && status < 500) {
    return new UpstreamError(
      'invalid_request',
      `${name} rejected the request (HTTP ${status})${tail}.`,
    );
  }
  if (status >= 500) {
    return new UpstreamError('server', `${name} had a server error (HTTP ${status})${tail}.`);
  }
  return new UpstreamError(
    'server',
    `${name} sent an answer ccs could not read (HTTP ${status})${tail}.`,
  );
}

function modelUnsupported(provider: ProviderDefinition, model: string | undefined): UpstreamError {
  const which = model ? `the model "${model}"` : 'the requested model';
  return new UpstreamError(
    'model_unsupported',
    `${provider.displayName} does not support ${which}. Pick another model in the settings ` +
      `(known: ${provider.models.map((m) => m.id).join(', ')}).`,
  );
}

function isModelUnsupported(said: string | undefined, json: unknown): boolean {
  if (
    said &&
    /model not support|不支持所选模型|unsupported model|model .*not (found|exist)/i.test(said)
  ) {
    return true;
  }
  return isRecord(json) && isRecord(json.error) && json.error.code === 'model_not_found';
}

/** The upstream's own message: JSON `error.message`/`message`/`msg`, else short plain text. */
function upstreamMessage(json: unknown, bodyText: string): string | undefined {
  if (isRecord(json)) {
    const error = json.error;
    if (typeof error === 'string') return clean(error);
    if (isRecord(error)) {
      const said = textOf(error.message);
      if (said) return said;
    }
    return textOf(json.message) ?? textOf(json.msg) ?? textOf(json.detail);
  }
  const text = bodyText.trim();
  if (text === '') return undefined;
  if (/^<(!doctype|html|\?xml)/i.test(text)) return 'it answered with a web page instead of JSON';
  return clean(text);
}

function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = clean(value);
  return cleaned === '' ? undefined : cleaned;
}

/**
 * One line, bounded, without stack traces or file paths: Claude Code shows the
 * message to the user, and a path on the provider's machine helps nobody.
 */
function clean(text: string): string {
  const oneLine = withoutTraces(text.split(/\r?\n/))
    .join(' ')
    .replace(FILE_PATH, '$1[path]')
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS)}…` : oneLine;
}

/** Frames of Node and Java traces ("at f (file:1:2)", "... 12 more"), Python frames. */
const TRACE_FRAME = /^\s*(?:at\s.+[:(]|\.\.\.\s*\d+\s+more\b|File ".*", line \d+)/;

/**
 * Paths of the upstream's file system: Unix paths under a system or home
 * root, or ending in a file with an extension; Windows drive paths; file:
 * URLs. A route such as `/v1/chat/completions` stays: "Cannot POST /v1/…"
 * is the one clue that `api_url` is wrong.
 */
const FILE_PATH = new RegExp(
  [
    `(^|[\\s'"(=[,])(?:`,
    '\\/(?:etc|home|usr|var|opt|srv|root|tmp|app|Users|data|mnt|private|proc|lib|bin|nix)',
    '(?:\\/[\\w.@+-]+)+\\/?',
    '|(?:\\/[\\w.@+-]+)+\\/[\\w@+-]+\\.[A-Za-z]\\w{0,4}\\b',
    `|[A-Za-z]:\\\\[^\\s'")]+|file:\\/\\/[^\\s'")]+)`,
  ].join(''),
  'g',
);

/**
 * Drops trace lines and keeps the sentence around them: a Python traceback's
 * indented frames go (its last line, the exception, stays); a Go panic's
 * goroutine dump goes to the end.
 */
function withoutTraces(lines: string[]): string[] {
  const kept: string[] = [];
  let inPythonTrace = false;
  for (const line of lines) {
    if (/^\s*goroutine \d+ \[/.test(line)) break;
    if (/^\s*Traceback \(most recent call last\)/.test(line)) {
      inPythonTrace = true;
      continue;
    }
    if (inPythonTrace && /^\s/.test(line)) continue;
    inPythonTrace = false;
    if (!TRACE_FRAME.test(line)) kept.push(line);
  }
  return kept;
}

function suffix(said: string | undefined): string {
  if (!said) return '';
  return `: ${said.replace(/[.。]+$/, '')}`;
}

function withRetry(retryAfterMs: number | undefined): { retryAfterMs?: number } {
  return retryAfterMs === undefined ? {} : { retryAfterMs };
}

/** The header wins; else `retry_after` (seconds) or `retryDelay` ("20s") in the body. */
function retryAfterFrom(options: ClassifyOptions, json: unknown): number | undefined {
  const header = options.retryAfter?.trim();
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - (options.now ?? Date.now()));
  }
  const source = isRecord(json) && isRecord(json.error) ? json.error : json;
  if (!isRecord(source)) return undefined;
  const seconds = numeric(source.retry_after) ?? numeric(source.retryAfter);
  if (seconds !== undefined && seconds >= 0) return Math.round(seconds * 1000);
  const delay =
    typeof source.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(source.retryDelay) : null;
  return delay?.[1] ? Math.round(Number(delay[1]) * 1000) : undefined;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
