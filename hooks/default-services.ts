import type { CommandContext } from '../src/commands/context.js';
import { readConfig } from '../src/config/config-file.js';
import type { Session, SessionEvent } from '../src/launch/session.js';
import { PRESETS } from '../src/providers/presets.js';
import {
  BUILT_IN_PROVIDER_IDS,
  isUnadoptedPreset,
  resolveProvider,
} from '../src/providers/registry.js';
import type { ProviderDefinition } from '../src/providers/types.js';
import { openBrowser } from '../src/terminal/browser.js';
import { isSshSession, supportsHyperlinks } from '../src/terminal/escapes.js';
import type { AccountNotice, ListedProvider, SessionHolder, TuiServices } from './services.js';

export interface ServiceOptions {
  /** Provider ids to list even when not configured (a preset named on the command line). */
  include?: readonly string[];
}

/**
 * The TUI's services bound to the real ones in src/. The login and launch
 * modules are imported when first used, so opening the app does not load
 * the proxy, and the home screen is on screen sooner.
 */
export function createTuiServices(ctx: CommandContext, options: ServiceOptions = {}): TuiServices {
  const { paths, env, clock, logger } = ctx;

  async function loadProviders(): Promise<ListedProvider[]> {
    const config = await readConfig(paths.configFile);
    const ids = new Set<string>([
      ...BUILT_IN_PROVIDER_IDS,
      ...Object.keys(config.providers),
      ...(options.include ?? []),
      ...Object.keys(PRESETS),
    ]);
    const providers: ListedProvider[] = [];
    for (const id of ids) {
      try {
        const provider = resolveProvider(id, { ...config, file: paths.configFile }, env);
        const preset = isUnadoptedPreset(id, config);
        providers.push(preset ? { ...provider, preset } : provider);
      } catch (error) {
        // A config.yaml entry that is not a provider (or is broken) is
        // reported by the CLI when used; the home screen just leaves it out.
        logger.warn('provider left off the home screen', { id, error: String(error) });
      }
    }
    return providers;
  }

  return {
    paths,
    env,
    clock,
    logger,
    loadProviders,
    login: async (request) => {
      const { loginWithDeviceCode } = await import('../src/auth/login.js');
      return loginWithDeviceCode({
        provider: request.provider,
        paths,
        clock,
        signal: request.signal,
        onEvent: request.onEvent,
        ...(request.nickname ? { nickname: request.nickname } : {}),
      });
    },
    saveApiKey: async (request) => {
      // Shared with `ccs <id> --auth --api-key`: stores the key, adopts a preset.
      const { loginWithApiKey } = await import('../src/auth/api-key-login.js');
      return loginWithApiKey({
        provider: request.provider,
        paths,
        apiKey: request.apiKey,
        clock,
        ...(request.nickname ? { nickname: request.nickname } : {}),
      });
    },
    session: createSessionHolder(ctx),
    writeRaw: (data) => {
      ctx.stdout.write(data);
    },
    openBrowser: (url) => openBrowser(url, { env }),
    isSsh: isSshSession(env),
    hyperlinks: supportsHyperlinks(env),
    color: !('NO_COLOR' in env) || env.NO_COLOR === '',
  };
}

/**
 * What the account lists need to know from a session: the proxy's account
 * state changes (a cooldown, a refused refresh) and the refresh loop's news.
 */
export function toAccountNotice(event: SessionEvent): AccountNotice | undefined {
  if (event.source === 'refresh') {
    const { type, accountId, nickname } = event.event;
    if (type === 'needs-login') return { type: 'needs-login', accountId, nickname };
    if (type === 'refreshed') return { type: 'refreshed', accountId };
    return undefined;
  }
  if (event.event.type !== 'account') return undefined;
  const status = event.event.status;
  if (status.state === 'cooling' && status.coolingUntil !== undefined) {
    return { type: 'cooling', accountId: status.id, until: status.coolingUntil };
  }
  if (status.state === 'needs-login') {
    return { type: 'needs-login', accountId: status.id, nickname: status.nickname };
  }
  return undefined;
}

function createSessionHolder(ctx: CommandContext): SessionHolder {
  const sessions = new Map<string, Promise<Session>>();
  const listeners = new Set<(notice: AccountNotice) => void>();
  const ready = new Map<string, Session>();

  async function start(provider: ProviderDefinition): Promise<Session> {
    const [{ createSession }, { findClaude }, { readSettings }] = await Promise.all([
      import('../src/launch/session.js'),
      import('../src/launch/claude.js'),
      import('../src/settings.js'),
    ]);
    const claudeBin = await findClaude(ctx.env);
    const settings = await readSettings(ctx.paths, provider.id);
    const config = await readConfig(ctx.paths.configFile);
    const session = await createSession({
      provider,
      paths: ctx.paths,
      settings,
      logger: ctx.logger,
      clock: ctx.clock,
      claudeBin,
      env: ctx.env,
      strategy: config.routingStrategy,
    });
    session.onEvent((event) => {
      const notice = toAccountNotice(event);
      if (!notice) return;
      for (const listener of listeners) listener(notice);
    });
    ready.set(provider.id, session);
    return session;
  }

  return {
    async prepare(provider) {
      let pending = sessions.get(provider.id);
      if (!pending) {
        pending = start(provider);
        sessions.set(provider.id, pending);
        // A failed start is not cached: the user may fix the cause and retry.
        pending.catch(() => sessions.delete(provider.id));
      }
      const session = await pending;
      return { proxyUrl: session.proxyUrl };
    },
    async runClaude(providerId, args) {
      const session = ready.get(providerId);
      if (!session) throw new Error(`No session was prepared for ${providerId}.`);
      const { runClaude } = await import('../src/launch/session.js');
      return runClaude(session, args, { env: ctx.env, logger: ctx.logger });
    },
    stats: (providerId) => ready.get(providerId)?.stats(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async closeAll() {
      const all = [...ready.values()];
      ready.clear();
      sessions.clear();
      await Promise.allSettled(all.map((session) => session.close()));
    },
  };
}
