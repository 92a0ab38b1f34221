import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { listAccounts, touchAccount } from '../accounts/registry.js';
import { refreshAccount } from '../auth/refresh.js';
import { type Clock, systemClock } from '../clock.js';
import type { CcsPaths } from '../home.js';
import { getLogger, type Logger } from '../log.js';
import type { ProviderDefinition } from '../providers/types.js';
import {
  AccountPool,
  type AccountStatus,
  type PoolAccount,
  type RoutingStrategy,
} from './account-pool.js';
import { CredentialStore, keylessAccountSource, registryAccountSource } from './accounts-source.js';
import {
  hasSecret,
  isLoopbackHost,
  newRequestId,
  ProxyHttpError,
  parseJsonObject,
  readBody,
  sendError,
  sendJson,
} from './http.js';
import { handleMessages, type RefreshResult, toHttpError } from './messages.js';
import type { ProxySettings } from './model-map.js';
import { modelsList } from './models.js';
import { type ProxyEvent, type ProxyStats, ProxyStatsRecorder } from './stats.js';
import { estimateInputTokens } from './translate/index.js';
import type { AnthropicRequest } from './translate/types.js';
import { chatCompletionsUrl, createUpstreamAgent } from './upstream.js';

export type { ProxyEvent, ProxyStats } from './stats.js';

export interface ProxyOptions {
  provider: ProviderDefinition;
  paths: CcsPaths;
  /** The per-session secret `claude` must present. */
  secret: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  settings: ProxySettings;
  strategy?: RoutingStrategy;
  clock?: Clock;
  logger?: Logger;
  /** undici dispatcher for upstream calls; default: a keep-alive Agent owned by the proxy. */
  fetchDispatcher?: Dispatcher;
  /** `ping` after this much silence on a stream (default 15 000). */
  pingIntervalMs?: number;
  /**
   * Commit a stream (headers + message_start) after this long without upstream
   * bytes, to beat the client's first-byte timeout (default 10 000).
   */
  commitAfterMs?: number;
  /** Refreshes an account's tokens after an upstream 401/439 (the session's refresh service). */
  refresh?: (accountId: string) => Promise<RefreshResult>;
  /** Overrides the provider's limit of requests in flight per account (benchmarks). */
  maxConcurrentPerAccount?: number;
  /** Upstream retry-after values passed on to the client are capped (default 60 s). */
  retryAfterCapSec?: number;
  /**
   * accounts.json and token files are checked for changes at most this often
   * (default 1000 ms), so a request costs no file-system call.
   */
  filesRecheckMs?: number;
}

export interface ProxyHandle {
  url: string;
  port: number;
  stats(): ProxyStats;
  accounts(): AccountStatus[];
  close(): Promise<void>;
  onEvent(listener: (event: ProxyEvent) => void): () => void;
}

/** Without a session's refresh service: refresh the account directly, forced. */
async function refreshNow(
  opts: ProxyOptions,
  clock: Clock,
  accountId: string,
): Promise<RefreshResult> {
  const account = (await listAccounts(opts.paths, opts.provider.id)).find(
    (a) => a.id === accountId,
  );
  if (!account) return { type: 'failed' };
  return refreshAccount({
    provider: opts.provider,
    paths: opts.paths,
    account,
    clock,
    force: true,
  });
}

/** How often one account's `lastUsedAt` is written at most. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Records `lastUsedAt` in accounts.json, at most once a minute per account,
 * off the request path. `settle` waits for writes still under way.
 */
function lastUsedRecorder(opts: ProxyOptions, clock: Clock, logger: Logger) {
  const touchedAt = new Map<string, number>();
  const writing = new Set<Promise<void>>();
  const touch = (account: PoolAccount) => {
    const now = clock.now();
    if (now - (touchedAt.get(account.id) ?? Number.NEGATIVE_INFINITY) < TOUCH_EVERY_MS) return;
    touchedAt.set(account.id, now);
    const write = touchAccount(opts.paths, opts.provider.id, account.id, new Date(now))
      .catch((error: unknown) => {
        logger.warn('could not record when an account was last used', {
          account: account.nickname,
          error,
        });
      })
      .finally(() => writing.delete(write));
    writing.add(write);
  };
  return { touch, settle: () => Promise.all(writing) };
}

type Route = 'messages' | 'count_tokens' | 'models' | 'health' | undefined;

/** Routes on the path only: `?beta=true` and any other query are ignored. */
export function routeOf(method: string, rawUrl: string, providerId: string): Route {
  let path = rawUrl.split('?', 1)[0] ?? '/';
  const prefix = `/api/provider/${providerId}`;
  if (path === prefix || path.startsWith(`${prefix}/`)) path = path.slice(prefix.length) || '/';
  else if (path.startsWith('/api/provider/')) return undefined;
  if (path.length > 1) path = path.replace(/\/+$/, '');

  if (path === '/' && (method === 'GET' || method === 'HEAD')) return 'health';
  if (path === '/v1/messages' && method === 'POST') return 'messages';
  if (path === '/v1/messages/count_tokens' && method === 'POST') return 'count_tokens';
  if (path === '/v1/models' && method === 'GET') return 'models';
  return undefined;
}

/**
 * Starts the Anthropic-compatible proxy on 127.0.0.1 (contract #7). It
 * answers only requests that carry the session secret and a loopback Host.
 */
export async function startProxy(opts: ProxyOptions): Promise<ProxyHandle> {
  const { provider } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? getLogger();
  const secret = Buffer.from(opts.secret, 'utf8');
  const stats = new ProxyStatsRecorder();
  const ownAgent = opts.fetchDispatcher ? undefined : createUpstreamAgent();
  const dispatcher = opts.fetchDispatcher ?? ownAgent!;
  const keyless = provider.auth.kind === 'api-key' && provider.auth.key === 'none';

  const pool = new AccountPool({
    source: keyless
      ? keylessAccountSource()
      : registryAccountSource(opts.paths, provider.id, opts.filesRecheckMs),
    clock,
    strategy: opts.strategy ?? 'fill-first',
    maxConcurrentPerAccount: opts.maxConcurrentPerAccount ?? provider.maxConcurrentPerAccount,
    providerName: provider.displayName,
    providerId: provider.id,
    onChange: (status) => stats.emit({ type: 'account', status }),
  });
  const lastUsed = lastUsedRecorder(opts, clock, logger);
  const credentials = new CredentialStore(provider, undefined, opts.filesRecheckMs);
  const deps = {
    provider,
    settings: opts.settings,
    pool,
    credentials,
    dispatcher,
    chatUrl: chatCompletionsUrl(provider),
    clock,
    logger,
    stats,
    pingIntervalMs: opts.pingIntervalMs ?? 15_000,
    commitAfterMs: opts.commitAfterMs ?? 10_000,
    retryAfterCapSec: opts.retryAfterCapSec ?? 60,
    refresh: opts.refresh ?? ((accountId: string) => refreshNow(opts, clock, accountId)),
    loginMarks: new Map<string, string>(),
    touch: keyless ? () => undefined : lastUsed.touch,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    try {
      if (!isLoopbackHost(req.headers.host)) {
        throw new ProxyHttpError(
          403,
          'permission_error',
          'This proxy only answers requests addressed to 127.0.0.1 or localhost.',
        );
      }
      const route = routeOf(req.method ?? 'GET', req.url ?? '/', provider.id);
      if (route === undefined) {
        req.resume();
        throw new ProxyHttpError(
          404,
          'not_found_error',
          `No route for ${req.method} ${(req.url ?? '/').split('?', 1)[0]}.`,
        );
      }
      if (route === 'health') {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain', 'request-id': requestId });
        res.end(req.method === 'HEAD' ? undefined : 'ok\n');
        return;
      }
      if (!hasSecret(req, secret)) {
        req.resume();
        throw new ProxyHttpError(
          401,
          'authentication_error',
          'Missing or wrong API key for the ccs proxy.',
        );
      }
      if (route === 'models') {
        req.resume();
        sendJson(res, requestId, 200, modelsList(provider));
        return;
      }

      const body = parseJsonObject(await readBody(req));
      if (route === 'count_tokens') {
        const tokens = Math.max(1, estimateInputTokens(body as AnthropicRequest));
        sendJson(res, requestId, 200, { input_tokens: tokens });
        return;
      }
      await handleMessages(req, res, body, requestId, deps);
    } catch (error) {
      const failure = toHttpError(error, deps.retryAfterCapSec);
      if (failure.status >= 500) logger.error('proxy internal error', { requestId, error });
      else logger.info('proxy refused request', { requestId, status: failure.status });
      const close = failure.status === 413 ? { connection: 'close' } : undefined;
      sendError(res, requestId, failure, close);
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info('proxy listening', { provider: provider.id, port });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => stats.snapshot(),
    accounts: () => pool.status(),
    onEvent: (listener) => stats.onEvent(listener),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await ownAgent?.close();
      await lastUsed.settle();
    },
  };
}
