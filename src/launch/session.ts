import type { RefreshEvent, RefreshOutcome } from '../auth/refresh.js';
import { createRefreshService } from '../auth/refresh.js';
import { type Clock, systemClock } from '../clock.js';
import type { RoutingStrategy } from '../config/config-file.js';
import { BugError } from '../errors.js';
import type { CcsPaths } from '../home.js';
import { getLogger, type Logger } from '../log.js';
import type { ProviderDefinition } from '../providers/types.js';
import type { ProxyEvent, ProxyStats } from '../proxy/server.js';
import { startProxy } from '../proxy/server.js';
import type { ProviderSettings } from '../settings.js';
import { runClaudeProcess, type SignalSource } from './claude.js';
import { buildClaudeEnv } from './env.js';
import { warmProviderModels } from './models-warmup.js';
import { newSecret } from './secret.js';

export type SessionEvent =
  | { source: 'proxy'; event: ProxyEvent }
  | { source: 'refresh'; event: RefreshEvent };

export interface SessionOptions {
  provider: ProviderDefinition;
  paths: CcsPaths;
  settings: ProviderSettings;
  logger?: Logger;
  clock?: Clock;
  /** Resolved `claude` program, kept for whoever runs it (the TUI's launch screen). */
  claudeBin?: string;
  /** The environment claude inherits when `childEnv` gets no base. */
  env?: NodeJS.ProcessEnv;
  strategy?: RoutingStrategy;
  /** For the refresh service's calls to the token endpoint (tests). */
  fetch?: typeof fetch;
}

/**
 * One `claude` run's worth of machinery: the proxy on an ephemeral port with
 * a secret nobody else knows, and the refresh loop that keeps the accounts'
 * tokens fresh. Both live until `close()`.
 */
export interface Session {
  readonly provider: ProviderDefinition;
  readonly proxyUrl: string;
  readonly secret: string;
  readonly claudeBin: string | undefined;
  /** claude's environment on top of `base` (default: the session's `env`). */
  childEnv(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  stats(): ProxyStats;
  onEvent(listener: (event: SessionEvent) => void): () => void;
  /** Refreshes one account now (used before launch to find dead accounts). */
  refreshNow(accountId: string): Promise<RefreshOutcome>;
  /** Stops the refresh loop and closes the proxy; safe to call twice. */
  close(): Promise<void>;
}

export async function createSession(options: SessionOptions): Promise<Session> {
  const { provider, paths, settings } = options;
  const logger = options.logger ?? getLogger();
  const clock = options.clock ?? systemClock;
  const listeners = new Set<(event: SessionEvent) => void>();
  const emit = (event: SessionEvent) => {
    for (const listener of listeners) listener(event);
  };

  // Refresh events are logged, never printed: claude owns the terminal now.
  const refresh = createRefreshService({
    provider,
    paths,
    clock,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onEvent: (event) => {
      const level = event.type === 'refreshed' ? 'info' : 'warn';
      logger[level](`refresh ${event.type}: ${provider.id} account ${event.nickname}`, {
        accountId: event.accountId,
        ...(event.type === 'refreshed' ? {} : { message: event.message }),
      });
      emit({ source: 'refresh', event });
    },
  });

  const secret = newSecret();
  const proxy = await startProxy({
    provider,
    paths,
    secret,
    port: 0,
    settings,
    clock,
    logger,
    ...(options.strategy ? { strategy: options.strategy } : {}),
    refresh: (accountId) => refresh.refreshNow(accountId),
  });
  const unsubscribe = proxy.onEvent((event) => emit({ source: 'proxy', event }));
  refresh.start();
  // Not awaited: claude starts at once; /v1/models answers from the provider's
  // own list as soon as it has come (the definition's until then).
  void warmProviderModels(provider, paths, options.fetch ? { fetch: options.fetch } : {}).then(
    (result) => {
      if (result.problem)
        logger.info('models: provider list unavailable', { problem: result.problem });
    },
  );
  logger.info('session started', { provider: provider.id, proxy: proxy.url });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      unsubscribe();
      try {
        await refresh.stop();
      } finally {
        await proxy.close();
        logger.info('session closed', { provider: provider.id, ...proxy.stats() });
      }
    })();
    return closing;
  };

  return {
    provider,
    proxyUrl: proxy.url,
    secret,
    claudeBin: options.claudeBin,
    childEnv: (base = options.env ?? process.env) =>
      buildClaudeEnv({
        base,
        settingsEnv: settings.env,
        proxyUrl: proxy.url,
        secret,
        defaultModel: provider.defaultModel,
      }),
    stats: () => proxy.stats(),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refreshNow: (accountId) => refresh.refreshNow(accountId),
    close,
  };
}

export interface RunClaudeOptions {
  claudeBin?: string;
  /** The environment claude inherits, before the session's layers. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signals?: SignalSource;
  logger?: Logger;
}

/**
 * Runs claude through the session with the terminal inherited; resolves with
 * its exit code (128 + n for a signal). The caller closes the session.
 */
export function runClaude(
  session: Session,
  args: readonly string[],
  options: RunClaudeOptions = {},
): Promise<number> {
  const claudeBin = options.claudeBin ?? session.claudeBin;
  if (!claudeBin)
    return Promise.reject(new BugError('runClaude was called without a claude program.'));
  return runClaudeProcess({
    claudeBin,
    args,
    env: session.childEnv(options.env),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.signals ? { signals: options.signals } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
